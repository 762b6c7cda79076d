// `tubelet test --out r.pkl`, then `tubelet eval-metric` and `tubelet report-accuracy` on what
// it wrote, through the built command: eval-metric prints the metrics test printed, from the
// .pkl and from the .json; report-accuracy of a score file fused with itself gives test's
// accuracies. A tiny TSN (tests/fixtures/distributed/tsn_tiny_dist.py) trained one epoch on
// synthetic 32x32 videos, and a BMN on synthetic features for a localizer's results.
// Needs TUBELET_WITH_MEDIA: it runs the commands that decode videos.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>

#include "cli/command_support.h"
#include "support/paths.h"
#include "tubelet/checkpoint/results_pickle.h"

namespace tubelet::eval_metric_command_test {
namespace {

namespace fs = std::filesystem;
using test::shell_quote;

// "name: value" lines of a command's stdout.
std::map<std::string, std::string> metric_lines(const std::string& out) {
  std::map<std::string, std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (auto colon = line.find(": "); colon != std::string::npos)
      lines[line.substr(0, colon)] = line.substr(colon + 2);
  return lines;
}

class EvalMetricCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(test::tubelet_command()) ||
        std::system("command -v ffmpeg >/dev/null 2>&1") != 0)
      return;
    dir_ = std::make_unique<test::TempDir>();
    const fs::path d = dir_->path();
    if (!ok(run("make-synthetic " + shell_quote((d / "data").string()) +
                    " --videos 20 --size 32 --frames 8 --seed 5",
                "synthetic")))
      return;
    data_ = " data.train.ann_file=" + shell_quote((d / "data/train_list.txt").string()) +
            " data.val.ann_file=" + shell_quote((d / "data/val_list.txt").string()) +
            " data.test.ann_file=" + shell_quote((d / "data/val_list.txt").string());
    for (const char* phase : {"train", "val", "test"})
      data_ += std::string(" data.") + phase +
               ".data_prefix=" + shell_quote((d / "data/videos").string());
    ready_ = ok(run("train " + config() + " --work-dir " + shell_quote((d / "run").string()) +
                        " --seed 3 --cfg-options total_epochs=1 data.videos_per_gpu=4" + data_,
                    "train"));
  }
  static void TearDownTestSuite() { dir_.reset(); }

  void SetUp() override {
    if (!dir_) GTEST_SKIP() << "needs the tubelet command next to this test and ffmpeg on PATH";
    ASSERT_TRUE(ready_) << "making the data or training failed: see the log above";
  }

  static std::string config() {
    return shell_quote(
        (test::source_dir() / "tests/fixtures/distributed/tsn_tiny_dist.py").string());
  }
  static std::string path(const std::string& name) {
    return shell_quote((dir_->path() / name).string());
  }
  static test::CommandResult run(const std::string& args, const std::string& name) {
    return test::run_tubelet(args, dir_->path(), name);
  }
  static bool ok(const test::CommandResult& r) {
    if (r.status != 0) std::cerr << "FAILED (" << r.status << "):\n" << r.out << r.err;
    return r.status == 0;
  }

  static inline std::unique_ptr<test::TempDir> dir_;
  static inline std::string data_;
  static inline bool ready_ = false;
};

TEST_F(EvalMetricCommand, EvalMetricOfTestsPickleAndJsonPrintsTestsMetrics) {
  const std::string ckpt = path("run/latest.pth");
  const std::string metrics = " --eval top_k_accuracy mean_class_accuracy";
  const auto tested = run("test " + config() + " " + ckpt + metrics + " --out " + path("r.pkl") +
                              " --cfg-options" + data_,
                          "test_pkl");
  ASSERT_TRUE(ok(tested));
  ASSERT_TRUE(ok(
      run("test " + config() + " " + ckpt + " --out " + path("r.json") + " --cfg-options" + data_,
          "test_json")));
  const auto lines = metric_lines(tested.out);
  ASSERT_EQ(lines.size(), 3u) << tested.out;  // top1_acc, top5_acc, mean_class_accuracy

  // The pickle holds one float32 numpy array per test video.
  auto pkl = checkpoint::unpickle_results(test::read_text(dir_->path() / "r.pkl"), "r.pkl");
  ASSERT_TRUE(pkl.rows);
  EXPECT_EQ(pkl.rows->scalar_type(), torch::kFloat);
  EXPECT_EQ(pkl.rows->size(1), 10);

  for (const char* file : {"r.pkl", "r.json"}) {
    SCOPED_TRACE(file);
    const auto evaluated =
        run("eval-metric " + config() + " " + path(file) + metrics + " --cfg-options" + data_,
            std::string("eval_") + file);
    ASSERT_TRUE(ok(evaluated));
    EXPECT_EQ(evaluated.out, tested.out);
  }
  // --eval-options: dataset.evaluate's arguments.
  const auto top2 =
      run("eval-metric " + config() + " " + path("r.pkl") +
              " --eval top_k_accuracy --eval-options 'topk=(1,2)' --cfg-options" + data_,
          "eval_top2");
  ASSERT_TRUE(ok(top2));
  EXPECT_EQ(metric_lines(top2.out).count("top2_acc"), 1u) << top2.out;
  EXPECT_EQ(metric_lines(top2.out).at("top1_acc"), lines.at("top1_acc"));

  // Two-stream fusion of the scores with themselves ranks as the scores alone.
  const auto fused = run("report-accuracy --scores " + path("r.pkl") + " " + path("r.json") +
                             " --coefficients 1 0.5 --datalist " + path("data/val_list.txt"),
                         "report");
  ASSERT_TRUE(ok(fused));
  const auto report = metric_lines(fused.out);
  EXPECT_EQ(report.at("Mean Class Accuracy"), lines.at("mean_class_accuracy")) << fused.out;
  EXPECT_EQ(report.at("Top 1 Accuracy"), lines.at("top1_acc")) << fused.out;
  EXPECT_EQ(report.at("Top 5 Accuracy"), lines.at("top5_acc")) << fused.out;
  const auto softmaxed = run("report-accuracy --scores " + path("r.pkl") + " --coefficients 2 " +
                                 "--apply-softmax --datalist " + path("data/val_list.txt"),
                             "report_softmax");
  ASSERT_TRUE(ok(softmaxed));
  EXPECT_EQ(metric_lines(softmaxed.out).at("Top 1 Accuracy"), lines.at("top1_acc"));
}

TEST_F(EvalMetricCommand, Errors) {
  const std::string ckpt = path("run/latest.pth");
  auto r =
      run("test " + config() + " " + ckpt + " --out " + path("r.txt") + " --cfg-options" + data_,
          "test_txt");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--out: the results file must be .json, .pkl or .pickle"), std::string::npos)
      << r.err;
  r = run("eval-metric " + config() + " " + path("none.pkl") +
              " --eval top_k_accuracy --cfg-options" + data_,
          "none");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("cannot open results file " + (dir_->path() / "none.pkl").string()),
            std::string::npos)
      << r.err;
  r = run("eval-metric " + config() + " " + path("none.pkl"), "no_eval");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--eval is required"), std::string::npos) << r.err;
  // A results file of another test set: its length is not the dataset's.
  dir_->write("short.pkl", checkpoint::pickle_arrays(torch::zeros({3, 10})));
  r = run("eval-metric " + config() + " " + path("short.pkl") +
              " --eval top_k_accuracy --cfg-options" + data_,
          "short");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("The length of results is not equal to the dataset len: 3 != "),
            std::string::npos)
      << r.err;
  r = run("report-accuracy --scores " + path("short.pkl") + " --coefficients 1 1 --datalist " +
              path("data/val_list.txt"),
          "report_counts");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--scores and --coefficients must have one entry each per file (1 score "
                       "files, 2 coefficients)"),
            std::string::npos)
      << r.err;
}

// A localizer: `test --out r.pkl` with the BMN config (output_format='json') pickles the
// ActivityNet results dict as tools/test.py does; eval-metric reads it back and prints test's
// AR@AN.
TEST_F(EvalMetricCommand, LocalizerResultsPickle) {
  const fs::path d = dir_->path() / "bmn";
  fs::create_directories(d);
  const std::string bmn = shell_quote(
      (test::source_dir() / "configs/localization/bmn/bmn_16x32_synthetic_feature.py").string());
  const std::string features = (d / "features").string();
  ASSERT_TRUE(ok(run("make-synthetic-features " + shell_quote(features) + " --videos 12 --seed 0",
                     "features")));
  std::string data;
  for (const char* phase : {"train", "val", "test"})
    data += std::string(" data.") + phase +
            ".ann_file=" + shell_quote(features + "/anet_anno_" + phase + ".json") + " data." +
            phase + ".data_prefix=" + shell_quote(features + "/features/");
  ASSERT_TRUE(ok(run("train " + bmn + " --work-dir " + shell_quote((d / "run").string()) +
                         " --seed 0 --cfg-options total_epochs=1" + data,
                     "bmn_train")));
  const auto tested = run("test " + bmn + " " + shell_quote((d / "run/latest.pth").string()) +
                              " --eval AR@AN --out " + shell_quote((d / "r.pkl").string()) +
                              " --cfg-options" + data,
                          "bmn_test");
  ASSERT_TRUE(ok(tested));
  EXPECT_EQ(metric_lines(tested.out).count("AR@100"), 1u) << tested.out;
  auto pkl = checkpoint::unpickle_results(test::read_text(d / "r.pkl"), "r.pkl");
  ASSERT_TRUE(pkl.value.is_dict());
  EXPECT_TRUE(pkl.value.as_dict().contains("version"));
  const auto evaluated = run("eval-metric " + bmn + " " + shell_quote((d / "r.pkl").string()) +
                                 " --eval AR@AN --cfg-options" + data,
                             "bmn_eval");
  ASSERT_TRUE(ok(evaluated));
  EXPECT_EQ(evaluated.out, tested.out);
}

}  // namespace
}  // namespace tubelet::eval_metric_command_test
