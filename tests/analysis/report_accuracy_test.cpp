// report-accuracy (MMAction2's tools/analysis/report_accuracy.py): score fusion and the
// accuracies of the fused scores. The expected numbers are what MMAction2 0.24.1's
// get_weighted_score, mean_class_accuracy and top_k_accuracy give for the same arrays
// (computed once with numpy 1.24).
#include "tubelet/analysis/report_accuracy.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/checkpoint/results_file.h"
#include "tubelet/checkpoint/results_pickle.h"

namespace tubelet::report_accuracy_test {
namespace {

using analysis::ReportAccuracyOptions;

torch::Tensor rgb() {
  return torch::tensor({0.1f, 0.5f, 0.2f,  0.0f, 0.1f, 0.1f,   //
                        0.3f, 0.1f, 0.25f, 0.2f, 0.1f, 0.05f,  //
                        0.2f, 0.2f, 0.1f,  0.3f, 0.1f, 0.1f,   //
                        0.0f, 0.1f, 0.1f,  0.1f, 0.3f, 0.4f})
      .reshape({4, 6});
}
torch::Tensor flow() {
  return torch::tensor({0.0f, 0.2f, 0.6f, 0.1f, 0.0f, 0.1f,  //
                        0.1f, 0.0f, 0.5f, 0.2f, 0.1f, 0.1f,  //
                        0.5f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f,  //
                        0.1f, 0.1f, 0.1f, 0.1f, 0.5f, 0.1f})
      .reshape({4, 6});
}

// rgb.pkl, flow.json and a rawframes-style data list ("dir frames label") in `dir`.
ReportAccuracyOptions write_inputs(const test::TempDir& dir) {
  dump_rows_file(rgb(), dir.path() / "rgb.pkl");
  dump_rows_file(flow(), dir.path() / "flow.json");
  ReportAccuracyOptions o;
  o.scores = {(dir.path() / "rgb.pkl").string(), (dir.path() / "flow.json").string()};
  o.datalist = dir.write("list.txt", "a 30 1\nb 31 2\r\nc 32 0\nd 33 5\n").string();
  return o;
}

}  // namespace

TEST(ReportAccuracy, MatchesMMAction2) {
  test::TempDir dir;
  ReportAccuracyOptions o = write_inputs(dir);
  o.coefficients = {1.0, 0.5};
  auto r = analysis::report_accuracy(o);
  EXPECT_DOUBLE_EQ(r.mean_class_accuracy, 0.6);
  EXPECT_DOUBLE_EQ(r.top1, 0.75);
  EXPECT_DOUBLE_EQ(r.top5, 1.0);
  EXPECT_EQ(analysis::format_accuracy_report(r),
            "Mean Class Accuracy: 0.6000\nTop 1 Accuracy: 0.7500\nTop 5 Accuracy: 1.0000\n");
  o.coefficients = {1.0, 2.0};
  r = analysis::report_accuracy(o);
  EXPECT_DOUBLE_EQ(r.mean_class_accuracy, 0.4);
  EXPECT_DOUBLE_EQ(r.top1, 0.5);
  o.apply_softmax = true;
  r = analysis::report_accuracy(o);
  EXPECT_DOUBLE_EQ(r.mean_class_accuracy, 0.4);
  EXPECT_DOUBLE_EQ(r.top1, 0.5);
}

TEST(ReportAccuracy, FusesInDoubleAfterASoftmaxInTheScoresOwnType) {
  const torch::Tensor fused = analysis::fuse_scores({rgb(), flow()}, {1.0, 0.5}, false);
  EXPECT_EQ(fused.scalar_type(), torch::kDouble);
  EXPECT_TRUE(torch::equal(fused, rgb().to(torch::kDouble) + flow().to(torch::kDouble) * 0.5));
  const torch::Tensor soft = analysis::fuse_scores({rgb(), flow()}, {1.0, 2.0}, true);
  // MMAction2's first fused row (scipy's softmax of each row, float32, then the weighted sum).
  const std::vector<double> want = {0.42951792, 0.56620604, 0.6723641,
                                    0.44387887, 0.42951792, 0.45851514};
  for (int64_t c = 0; c < 6; ++c) EXPECT_NEAR(soft[0][c].item<double>(), want[c], 1e-7) << c;
}

TEST(ReportAccuracy, Errors) {
  test::TempDir dir;
  ReportAccuracyOptions o = write_inputs(dir);
  o.coefficients = {1.0};
  EXPECT_EQ(test::error_of([&] { analysis::report_accuracy(o); }),
            "--scores and --coefficients must have one entry each per file (2 score files, 1 "
            "coefficients)");
  o.coefficients = {1.0, 1.0};
  o.datalist = dir.write("bad.txt", "a 30 1\n\nc 32 0\n").string();
  EXPECT_EQ(test::error_of([&] { analysis::report_accuracy(o); }),
            o.datalist + ":2: an empty line (no label)");
  o.datalist = dir.write("bad.txt", "a 30 1\nb 31 x2\n").string();
  EXPECT_EQ(test::error_of([&] { analysis::report_accuracy(o); }),
            o.datalist + ":2: the last field 'x2' is not an int label");
  o.datalist = dir.write("short.txt", "a 30 1\nb 31 2\n").string();
  EXPECT_EQ(test::error_of([&] { analysis::report_accuracy(o); }),
            o.datalist + " has 2 labels for 4 videos");
  o.datalist = dir.write("range.txt", "a 1\nb 2\nc 6\nd 0\n").string();
  EXPECT_EQ(test::error_of([&] { analysis::report_accuracy(o); }),
            o.datalist + ":3: label 6 is not one of the 6 classes");
  o.datalist = (dir.path() / "none.txt").string();
  EXPECT_EQ(test::error_of([&] { analysis::report_accuracy(o); }),
            "cannot open data list " + o.datalist);

  dump_rows_file(rgb().slice(0, 0, 3), dir.path() / "three.pkl");
  o.scores[1] = (dir.path() / "three.pkl").string();
  EXPECT_EQ(test::error_of([&] { analysis::report_accuracy(o); }),
            o.scores[1] + " has 3 videos, " + o.scores[0] + " 4");
  dump_rows_file(torch::zeros({4, 5}), dir.path() / "five.pkl");
  o.scores[1] = (dir.path() / "five.pkl").string();
  EXPECT_EQ(test::error_of([&] { analysis::report_accuracy(o); }),
            "score file 2 has shape [4, 5], file 1 [4, 6]");
  dump_value_file(Value::list({Value(Dict{})}), dir.path() / "records.pkl");
  o.scores[1] = (dir.path() / "records.pkl").string();
  EXPECT_EQ(test::error_of([&] { analysis::report_accuracy(o); }),
            o.scores[1] + ": not a list of score arrays (a recognizer's results)");
}

}  // namespace tubelet::report_accuracy_test
