// LibTorch's intra-op threads: the config's num_threads, else OMP_NUM_THREADS, else all cores.
#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include <cstdlib>
#include <thread>

#include "tubelet/config/config.h"
#include "tubelet/threads.h"

namespace tubelet::threads_test {
namespace {

class Threads : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* omp = std::getenv("OMP_NUM_THREADS");
    saved_ = omp ? std::optional<std::string>(omp) : std::nullopt;
    before_ = at::get_num_threads();
  }
  void TearDown() override {
    if (saved_)
      setenv("OMP_NUM_THREADS", saved_->c_str(), 1);
    else
      unsetenv("OMP_NUM_THREADS");
    at::set_num_threads(before_);
  }
  std::optional<std::string> saved_;
  int before_ = 1;
};

TEST_F(Threads, DefaultsToEveryCore) {
  unsetenv("OMP_NUM_THREADS");
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(configure_threads(), cores);
  EXPECT_EQ(at::get_num_threads(), cores);
}

TEST_F(Threads, EnvironmentThenConfigTakePrecedence) {
  setenv("OMP_NUM_THREADS", "1", 1);
  EXPECT_EQ(configure_threads(), 1);
  Dict cfg = load_config_text("num_threads = 2\n", "/tmp/t.py");
  EXPECT_EQ(configure_threads(&cfg), 2);
}

TEST_F(Threads, ABadCountIsAnError) {
  Dict cfg = load_config_text("num_threads = 0\n", "/tmp/t.py");
  EXPECT_THROW(configure_threads(&cfg), ConfigError);
}

}  // namespace
}  // namespace tubelet::threads_test
