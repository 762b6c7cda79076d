#include "tubelet/distributed/dist_utils.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tubelet/config/config.h"

namespace tubelet::dist_utils_test {
namespace {

TEST(DistUtils, FirstSlurmHost) {
  EXPECT_EQ(dist::first_slurm_host("node7"), "node7");
  EXPECT_EQ(dist::first_slurm_host("gpu1,gpu2"), "gpu1");
  EXPECT_EQ(dist::first_slurm_host("node[03-05,7],gpu1"), "node03");
  EXPECT_EQ(dist::first_slurm_host("a-b[12,14]"), "a-b12");
  EXPECT_THROW(dist::first_slurm_host(""), std::runtime_error);
  EXPECT_THROW(dist::first_slurm_host("node[x]"), std::runtime_error);
}

TEST(DistUtils, DistParamsDefaultsAndKeys) {
  dist::DistParams d = dist::read_dist_params(Value());
  EXPECT_EQ(d.backend, "nccl");
  EXPECT_DOUBLE_EQ(d.timeout_s, 1800);
  Dict cfg = load_config_text("dist_params = dict(backend='gloo', port=29555, timeout=30)", "c.py");
  dist::DistParams p = dist::read_dist_params(cfg.at("dist_params"));
  EXPECT_EQ(p.backend, "gloo");
  EXPECT_EQ(p.port, 29555);
  EXPECT_DOUBLE_EQ(p.timeout_s, 30);
  Dict bad = load_config_text("dist_params = dict(backend='gloo', bakend='x')", "c.py");
  EXPECT_THROW(dist::read_dist_params(bad.at("dist_params")), std::exception);
}

TEST(DistUtils, BackendOnThisMachine) {
  std::string note;
  EXPECT_EQ(dist::resolve_backend("gloo", "cpu"), "gloo");
  // Every MMAction2 config says nccl; a CPU run takes Gloo and says why.
  EXPECT_EQ(dist::resolve_backend("nccl", "cpu", &note), "gloo");
  EXPECT_NE(note.find("gloo"), std::string::npos);
  EXPECT_THROW(dist::resolve_backend("mpi", "cpu"), std::runtime_error);
  EXPECT_THROW(dist::resolve_backend("ucc", "cpu"), std::runtime_error);
#ifndef USE_C10D_NCCL
  try {
    dist::resolve_backend("nccl", "cuda");
    FAIL() << "nccl without NCCL";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("USE_C10D_NCCL"), std::string::npos);
  }
#endif
}

TEST(DistUtils, LaunchersAndTheirEnvironment) {
  EXPECT_EQ(dist::init_dist("none", {}).world_size, 1);
  EXPECT_FALSE(dist::is_initialized());
  EXPECT_EQ(dist::get_dist_info().rank, 0);
  ::unsetenv("RANK");
  try {
    dist::init_dist("pytorch", {});
    FAIL() << "no RANK";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("RANK"), std::string::npos);
  }
  ::unsetenv("OMPI_COMM_WORLD_RANK");
  try {
    dist::init_dist("mpi", {});
    FAIL() << "no OMPI_COMM_WORLD_RANK";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("OMPI_COMM_WORLD_RANK"), std::string::npos);
  }
  ::setenv("OMPI_COMM_WORLD_RANK", "0", 1);
  ::setenv("OMPI_COMM_WORLD_SIZE", "1", 1);
  ::setenv("OMPI_COMM_WORLD_LOCAL_RANK", "0", 1);
  ::unsetenv("MASTER_ADDR");
  try {
    dist::init_dist("mpi", {});  // mmcv requires MASTER_ADDR under mpirun too
    FAIL() << "no MASTER_ADDR";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("MASTER_ADDR"), std::string::npos);
  }
  for (const char* v :
       {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"})
    ::unsetenv(v);
  EXPECT_THROW(dist::init_dist("lsf", {}), std::runtime_error);
  ::setenv("RANK", "2", 1);
  ::setenv("WORLD_SIZE", "2", 1);
  ::setenv("MASTER_ADDR", "127.0.0.1", 1);
  ::setenv("MASTER_PORT", "29500", 1);
  try {
    dist::init_dist("pytorch", {});
    FAIL() << "rank 2 of 2";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 2"), std::string::npos) << e.what();
  }
  for (const char* v : {"RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"}) ::unsetenv(v);
  EXPECT_FALSE(dist::is_initialized());
}

}  // namespace
}  // namespace tubelet::dist_utils_test
