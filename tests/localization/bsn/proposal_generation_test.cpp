// The BSN proposal-generation stage as `tubelet bsn-proposal-generation` runs it: on
// tests/fixtures/bsn (TEM results, annotations, and the files MMAction2's bsn_utils.py and
// np.savetxt/np.save wrote from them), the files written here must be the same bytes; and
// LoadProposals must read them back for the PEM.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/localization/feature_file_writers.h"
#include "tubelet/data/localization/feature_files.h"
#include "tubelet/data/transform.h"
#include "tubelet/localization/bsn/proposal_generation.h"

namespace tubelet::bsn::proposal_generation_test {
namespace {

namespace fs = std::filesystem;

fs::path fixtures() {
  return test::source_dir() / "tests/fixtures/bsn";
}

const char* kVideos[] = {"v_alpha", "v_beta", "v_gamma"};

// A PGM config over the fixtures, as configs/localization/bsn/*pgm*.py lays it out (with
// params.json's feature settings in the test config).
Dict pgm_config(const fs::path& work) {
  const std::string anno = (fixtures() / "anno.json").string();
  std::string json = R"({
    "ann_file_train": "ANNO", "ann_file_val": "ANNO", "ann_file_test": "ANNO",
    "tem_results_dir": "TEM", "pgm_proposals_dir": "WORK/pgm_proposals/",
    "pgm_features_dir": "WORK/pgm_features/",
    "pgm_proposals_cfg": {"pgm_proposals_thread": 2, "temporal_scale": 12,
                          "peak_threshold": 0.5},
    "pgm_features_test_cfg": {"pgm_features_thread": 3, "top_k": 20, "num_sample_start": 4,
                              "num_sample_end": 3, "num_sample_action": 6,
                              "num_sample_interp": 2, "bsp_boundary_ratio": 0.2},
    "pgm_features_train_cfg": {"pgm_features_thread": 1, "top_k": 2}})";
  auto replace = [&json](const std::string& from, const std::string& to) {
    for (size_t p; (p = json.find(from)) != std::string::npos;) json.replace(p, from.size(), to);
  };
  replace("ANNO", anno);
  replace("TEM", (fixtures() / "tem_results").string());
  replace("WORK", work.string());
  return from_json(json, "<pgm>").as_dict();
}

TEST(BsnProposalGeneration, TestModeWritesMMAction2sFiles) {
  test::TempDir tmp;
  std::ostringstream log;
  ProposalGenerationSummary s = run_proposal_generation(pgm_config(tmp.path()), "test", &log);
  EXPECT_EQ(s.videos, 3);
  EXPECT_EQ(s.proposals, 11 + 24 + 12);
  EXPECT_NE(log.str().find("3/3"), std::string::npos) << log.str();
  for (const char* v : kVideos) {
    SCOPED_TRACE(v);
    const std::string csv = std::string(v) + ".csv", npy = std::string(v) + ".npy";
    EXPECT_EQ(test::read_text(tmp.path() / "pgm_proposals" / csv),
              test::read_text(fixtures() / "pgm_proposals" / csv));
    torch::Tensor ours = load_npy((tmp.path() / "pgm_features" / npy).string());
    torch::Tensor theirs = load_npy((fixtures() / "pgm_features" / npy).string());
    ASSERT_EQ(ours.sizes(), theirs.sizes());
    EXPECT_LE((ours - theirs).abs().max().item<double>(), 1e-15);
    // np.save's header, byte for byte
    EXPECT_EQ(test::read_text(tmp.path() / "pgm_features" / npy).substr(0, 128),
              test::read_text(fixtures() / "pgm_features" / npy).substr(0, 128));
  }
}

TEST(BsnProposalGeneration, TrainModeUsesTrainFeatureSettings) {
  test::TempDir tmp;
  run_proposal_generation(pgm_config(tmp.path()), "train", nullptr);
  torch::Tensor f = load_npy((tmp.path() / "pgm_features/v_beta.npy").string());
  // top_k=2 and the default 16 + 8 + 8 samples
  EXPECT_EQ(f.sizes(), (std::vector<int64_t>{2, 32}));
}

TEST(BsnProposalGeneration, LoadProposalsReadsTheOutput) {
  test::TempDir tmp;
  run_proposal_generation(pgm_config(tmp.path()), "test", nullptr);
  std::shared_ptr<Transform> load = PIPELINES().build(
      from_json(R"({"type": "LoadProposals", "top_k": 5, "pgm_proposals_dir": ")" +
                    (tmp.path() / "pgm_proposals").string() + R"(", "pgm_features_dir": ")" +
                    (tmp.path() / "pgm_features").string() + "\"}",
                "<test>"),
      BuildContext("pipeline[0]"));
  Sample s;
  s.info.set("video_name", Value("v_beta"));
  load->apply(s);
  EXPECT_EQ(s.tensor("bsp_feature")->sizes(), (std::vector<int64_t>{5, 13}));
  torch::Tensor proposals =
      load_csv_table((fixtures() / "pgm_proposals/v_beta.csv").string(), "v_beta");
  EXPECT_TRUE(torch::equal(*s.tensor("tmin"), proposals.select(1, 0).slice(0, 0, 5)));
  EXPECT_TRUE(
      torch::equal(*s.tensor("reference_temporal_iou"), proposals.select(1, 5).slice(0, 0, 5)));
}

TEST(BsnProposalGeneration, ConfigErrors) {
  test::TempDir tmp;
  Dict cfg = pgm_config(tmp.path());
  EXPECT_NE(test::error_of([&] {
              run_proposal_generation(cfg, "val", nullptr);
            }).find("mode must be 'train' or 'test'"),
            std::string::npos);
  Dict unknown = cfg;
  Dict proposals = cfg.at("pgm_proposals_cfg").as_dict();
  proposals.set("peak_threshld", Value(0.5));
  unknown.set("pgm_proposals_cfg", Value(proposals));
  EXPECT_NE(test::error_of([&] {
              run_proposal_generation(unknown, "test", nullptr);
            }).find("peak_threshld"),
            std::string::npos);
  Dict ext = cfg;
  Dict features = cfg.at("pgm_features_test_cfg").as_dict();
  features.set("pgm_proposal_ext", Value(".npy"));
  ext.set("pgm_features_test_cfg", Value(features));
  EXPECT_NE(test::error_of([&] {
              run_proposal_generation(ext, "test", nullptr);
            }).find("only '.csv' is supported"),
            std::string::npos);
}

TEST(BsnProposalGeneration, MissingTemResultNamesFileAndVideo) {
  test::TempDir tmp;
  Dict cfg = pgm_config(tmp.path());
  cfg.set("tem_results_dir", Value((tmp.path() / "nowhere").string()));
  const std::string error = test::error_of([&] { run_proposal_generation(cfg, "test", nullptr); });
  EXPECT_NE(error.find("nowhere/v_"), std::string::npos) << error;
  EXPECT_NE(error.find("TEM results of video v_"), std::string::npos) << error;
}

TEST(BsnProposalGeneration, ShortTemResultNamesFileAndVideo) {
  test::TempDir tmp;
  Dict cfg = pgm_config(tmp.path());
  Dict proposals = cfg.at("pgm_proposals_cfg").as_dict();
  proposals.set("temporal_scale", Value(100));
  cfg.set("pgm_proposals_cfg", Value(proposals));
  const std::string error = test::error_of([&] { run_proposal_generation(cfg, "test", nullptr); });
  EXPECT_NE(error.find("(video v_"), std::string::npos) << error;
  EXPECT_NE(error.find("at least temporal_scale (100) rows"), std::string::npos) << error;
}

TEST(BsnArrayFiles, NpyRoundTripAndHeaderAlignment) {
  test::TempDir tmp;
  const std::pair<std::string, torch::Tensor> cases[] = {
      {"d.npy", torch::rand({3, 4}, torch::kDouble)},
      {"f.npy", torch::rand({5}, torch::kFloat)},
      {"e.npy", torch::empty({0, 32}, torch::kDouble)},
      {"l.npy", torch::arange(6, torch::kLong).reshape({1, 2, 3})},
  };
  for (const auto& [name, t] : cases) {
    const fs::path p = tmp.path() / name;
    save_npy(p.string(), t);
    const std::string bytes = test::read_text(p);
    const size_t header =
        10 + static_cast<unsigned char>(bytes[8]) + 256 * static_cast<unsigned char>(bytes[9]);
    EXPECT_EQ(header % 64, 0u) << name;
    EXPECT_EQ(bytes[header - 1], '\n');
    torch::Tensor back = load_npy(p.string());
    EXPECT_EQ(back.scalar_type(), t.scalar_type()) << name;
    EXPECT_TRUE(torch::equal(back, t)) << name;
  }
  EXPECT_NE(test::read_text(tmp.path() / "f.npy").find("'shape': (5,), }"), std::string::npos);
}

// The expected text is what np.savetxt(..., header="a,b", delimiter=",", comments="") writes.
TEST(BsnArrayFiles, CsvLikeSavetxt) {
  test::TempDir tmp;
  save_csv_table((tmp.path() / "t.csv").string(), "a,b",
                 torch::tensor({0.1, -2.0, 1e-20, 3.0}, torch::kDouble).reshape({2, 2}));
  EXPECT_EQ(test::read_text(tmp.path() / "t.csv"),
            "a,b\n1.000000000000000056e-01,-2.000000000000000000e+00\n"
            "9.999999999999999452e-21,3.000000000000000000e+00\n");
}

}  // namespace
}  // namespace tubelet::bsn::proposal_generation_test
