// The distributed run end to end, through the `tubelet` command next to this test binary:
// two processes with B videos each against one process with 2B, a resumed two-process run
// against the uninterrupted one, and what rank 0 alone writes. A tiny TSN
// (tests/fixtures/distributed/tsn_tiny_dist.py) on a few synthetic 32x32 videos.
// Needs TUBELET_WITH_MEDIA: it runs the commands that decode videos.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/dump.h"

namespace tubelet::dist_train_test {
namespace {

namespace fs = std::filesystem;

fs::path tubelet_binary() {
  return fs::read_symlink("/proc/self/exe").parent_path() / "tubelet";
}

class DistTrain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(tubelet_binary()) || std::system("command -v ffmpeg >/dev/null 2>&1") != 0)
      return;
    dir_ = std::make_unique<test::TempDir>();
    const fs::path d = dir_->path();
    ready_ = run(
        "make-synthetic " + (d / "data").string() + " --videos 20 --size 32 --frames 8 --seed 5",
        "synthetic");
    if (!ready_) return;
    // 8 videos to train on (an even number: one process's batches of 4 hold what two
    // processes' batches of 2 hold) and 5 to test (odd: the sampler pads one).
    std::string train, val, line;
    std::istringstream train_lines(test::read_text(d / "data" / "train_list.txt"));
    for (int i = 0; i < 8 && std::getline(train_lines, line); ++i) train += line + "\n";
    std::istringstream val_lines(test::read_text(d / "data" / "val_list.txt"));
    for (int i = 0; i < 5 && std::getline(val_lines, line); ++i) val += line + "\n";
    dir_->write("train8.txt", train);
    dir_->write("val5.txt", val);
    const std::string sync_bn =
        " model.backbone.norm_eval=False model.backbone.norm_cfg.type=SyncBN";
    ready_ =
        train_run("", "one", 4) && train_run("dist-", "two", 2) &&
        // find_unused_parameters adds one collective per pass and changes no value.
        train_run("dist-", "resumed", 2, "--resume-from " + (d / "two" / "epoch_1.pth").string(),
                  " find_unused_parameters=True") &&
        train_run("", "one_sync_bn", 4, "", sync_bn) &&
        train_run("dist-", "two_sync_bn", 2, "", sync_bn) &&
        train_run("dist-", "two_bn", 2, "", " model.backbone.norm_eval=False");
  }
  static void TearDownTestSuite() { dir_.reset(); }

  void SetUp() override {
    if (!dir_) GTEST_SKIP() << "needs the tubelet command next to this test and ffmpeg on PATH";
    ASSERT_TRUE(ready_) << "a training run failed: see its log above";
  }

  static bool run(const std::string& args, const std::string& name) {
    const fs::path log = dir_->path() / (name + ".out");
    const std::string cmd = tubelet_binary().string() + " " + args + " >" + log.string() + " 2>&1";
    if (std::system(cmd.c_str()) == 0) return true;
    std::cerr << "FAILED: " << cmd << "\n" << test::read_text(log);
    return false;
  }

  static bool train_run(const std::string& prefix, const std::string& name, int videos_per_gpu,
                        const std::string& extra = "", const std::string& cfg_options = "") {
    const fs::path d = dir_->path();
    const std::string config =
        (test::source_dir() / "tests/fixtures/distributed/tsn_tiny_dist.py").string();
    std::string args = prefix + "train " + config + (prefix.empty() ? "" : " --nproc 2") +
                       " --work-dir " + (d / name).string() + " --seed 7 --validate " + extra +
                       " --cfg-options data.videos_per_gpu=" + std::to_string(videos_per_gpu) +
                       cfg_options;
    for (const char* phase : {"train", "val"})
      args += std::string(" data.") + phase + ".ann_file=" +
              (d / (phase == std::string("train") ? "train8.txt" : "val5.txt")).string() +
              " data." + phase + ".data_prefix=" + (d / "data" / "videos").string();
    return run(args, name);
  }

  static double max_difference(const std::string& a, const std::string& b) {
    auto x = checkpoint::load_checkpoint((dir_->path() / a).string()).state_dict;
    auto y = checkpoint::load_checkpoint((dir_->path() / b).string()).state_dict;
    EXPECT_EQ(x.size(), y.size());
    double worst = 0;
    for (const auto& item : x) {
      const torch::Tensor* other = y.find(item.key());
      EXPECT_NE(other, nullptr) << item.key();
      if (!other) continue;
      double d =
          (item.value().to(torch::kDouble) - other->to(torch::kDouble)).abs().max().item<double>();
      worst = std::max(worst, d);
    }
    return worst;
  }

  // The "val" entries of a run's .log.json: each top1_acc.
  static std::vector<double> val_accuracies(const std::string& name) {
    std::vector<double> out;
    for (const auto& entry : fs::directory_iterator(dir_->path() / name)) {
      const std::string file = entry.path().filename().string();
      if (file.size() < 9 || file.substr(file.size() - 9) != ".log.json") continue;
      std::istringstream lines(test::read_text(entry.path()));
      for (std::string line; std::getline(lines, line);) {
        Value v = from_json(line);
        if (!v.is_dict() || !v.as_dict().contains("mode")) continue;
        if (v.as_dict().at("mode").as_str() == "val")
          out.push_back(v.as_dict().at("top1_acc").as_float());
      }
    }
    return out;
  }

  static void TwoProcessesOfBReachTheWeightsOfOneProcessOf2B() {
    // 2 epochs of 2 SGD steps with momentum; the sums only differ in their order.
    const double diff = max_difference("one/epoch_2.pth", "two/epoch_2.pth");
    std::cerr << "max |w(1 process, batch 4) - w(2 processes, batch 2)| = " << diff << "\n";
    EXPECT_LT(diff, 1e-5);
    EXPECT_GT(max_difference("one/epoch_1.pth", "one/epoch_2.pth"), 1e-3);  // it did train
  }

  // Batch norm in training mode: SyncBN's statistics over both ranks' halves are the whole
  // batch's, so the equivalence holds there too.
  static void SyncBNTwoProcessesOfBReachTheWeightsOfOneProcessOf2B() {
    const double diff = max_difference("one_sync_bn/epoch_2.pth", "two_sync_bn/epoch_2.pth");
    std::cerr << "SyncBN: max |w(1 process, batch 4) - w(2 processes, batch 2)| = " << diff << "\n";
    EXPECT_LT(diff, 1e-4);
    // One process's SyncBN is plain BN over its batch; two processes with plain BN (each its
    // own statistics) do not reach the same weights.
    EXPECT_GT(max_difference("one_sync_bn/epoch_2.pth", "two_bn/epoch_2.pth"), 1e-4);
  }

  static void AResumedRunContinuesAsTheUninterruptedOne() {
    const double diff = max_difference("two/epoch_2.pth", "resumed/epoch_2.pth");
    std::cerr << "max |w(uninterrupted) - w(resumed from epoch 1)| = " << diff << "\n";
    EXPECT_LT(diff, 1e-6);
    EXPECT_NE(test::read_text(dir_->path() / "resumed.out").find("resumed epoch 1"),
              std::string::npos);
  }

  // Rank 0 gathers the 5 validation results (one padded away) and scores them as one process.
  static void EvaluationGathersEveryRanksResults() {
    const auto one = val_accuracies("one"), two = val_accuracies("two");
    ASSERT_EQ(one.size(), 2u);
    ASSERT_EQ(two.size(), 2u);
    EXPECT_DOUBLE_EQ(one[1], two[1]);
    for (double acc : two) EXPECT_DOUBLE_EQ(acc * 5, std::round(acc * 5));  // k of 5 videos
  }

  static void OnlyRankZeroWritesTheWorkDir() {
    int logs = 0, dumps = 0;
    for (const auto& entry : fs::directory_iterator(dir_->path() / "two")) {
      const std::string ext = entry.path().extension().string();
      logs += ext == ".log";
      dumps += ext == ".py";
    }
    EXPECT_EQ(logs, 1);
    EXPECT_EQ(dumps, 1);
    const std::string out = test::read_text(dir_->path() / "two.out");
    EXPECT_NE(out.find("Distributed training: True"), std::string::npos);
    EXPECT_EQ(out.find("Distributed training: True"), out.rfind("Distributed training: True"))
        << "only rank 0 logs";
    EXPECT_NE(out.find("gradient all-reduce:"), std::string::npos);
  }

  // `dist-test` on 2 and 3 processes writes the results `test` writes on one: each rank tests
  // its share (3 processes pad the 5 videos to 6), rank 0 gathers them in dataset order.
  static void DistributedTestGivesTheOneProcessResults() {
    const fs::path d = dir_->path();
    const std::string config =
        (test::source_dir() / "tests/fixtures/distributed/tsn_tiny_dist.py").string();
    const std::string data = " --cfg-options data.test.ann_file=" + (d / "val5.txt").string() +
                             " data.test.data_prefix=" + (d / "data" / "videos").string();
    const std::string ckpt = (d / "two" / "epoch_2.pth").string();
    ASSERT_TRUE(run("test " + config + " " + ckpt + " --eval top_k_accuracy --out " +
                        (d / "test1.json").string() + data,
                    "test1"));
    for (const char* n : {"2", "3"}) {
      const std::string name = std::string("test") + n;
      ASSERT_TRUE(run("dist-test " + config + " " + ckpt + " --nproc " + n +
                          " --eval top_k_accuracy --out " + (d / (name + ".json")).string() + data,
                      name));
      // Not bitwise: 1 process with 2 intra-op threads and 3 processes with 1 thread each
      // sum in different orders in BLAS/oneDNN (seen: 0.32799121 vs 0.32799104).
      EXPECT_EQ(test::json_difference(from_json(test::read_text(d / (name + ".json"))),
                                      from_json(test::read_text(d / "test1.json"))),
                "")
          << name;
      const std::string out = test::read_text(d / (name + ".out"));
      EXPECT_EQ(out.find("top1_acc"), out.rfind("top1_acc")) << "only rank 0 prints: " << out;
    }
    const std::string one = test::read_text(d / "test1.out");
    EXPECT_NE(one.find("top1_acc"), std::string::npos) << one;
  }

  static inline std::unique_ptr<test::TempDir> dir_;
  static inline bool ready_ = false;
};

// One test, so that the training runs (about 8 s) happen once also when ctest runs each
// test in its own process.
TEST_F(DistTrain, MatchesOneProcessResumesSyncsBNGathersResultsWritesOnRankZeroAndTests) {
  {
    SCOPED_TRACE("TwoProcessesOfBReachTheWeightsOfOneProcessOf2B");
    TwoProcessesOfBReachTheWeightsOfOneProcessOf2B();
  }
  {
    SCOPED_TRACE("SyncBNTwoProcessesOfBReachTheWeightsOfOneProcessOf2B");
    SyncBNTwoProcessesOfBReachTheWeightsOfOneProcessOf2B();
  }
  {
    SCOPED_TRACE("AResumedRunContinuesAsTheUninterruptedOne");
    AResumedRunContinuesAsTheUninterruptedOne();
  }
  {
    SCOPED_TRACE("EvaluationGathersEveryRanksResults");
    EvaluationGathersEveryRanksResults();
  }
  {
    SCOPED_TRACE("OnlyRankZeroWritesTheWorkDir");
    OnlyRankZeroWritesTheWorkDir();
  }
  {
    SCOPED_TRACE("DistributedTestGivesTheOneProcessResults");
    DistributedTestGivesTheOneProcessResults();
  }
}

}  // namespace
}  // namespace tubelet::dist_train_test
