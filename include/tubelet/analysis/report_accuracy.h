// MMAction2's tools/analysis/report_accuracy.py: fuses the score files of several models (e.g.
// the RGB and flow streams of a two-stream network) with one coefficient each and reports the
// fused scores' mean class accuracy and top-1/top-5 accuracy against a data list's labels.
#pragma once

#include <torch/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace tubelet::analysis {

struct ReportAccuracyOptions {
  // Results files (.pkl or .json, as `tubelet test --out` writes them); report_accuracy.py's
  // defaults.
  std::vector<std::string> scores = {"demo/fuse/rgb.pkl", "demo/fuse/flow.pkl"};
  std::vector<double> coefficients = {1.0, 1.0};  // one per score file
  std::string datalist = "demo/fuse/data_list.txt";
  bool apply_softmax = false;  // scipy's softmax of each video's scores before fusing
};

struct AccuracyReport {
  double mean_class_accuracy = 0;
  double top1 = 0;
  double top5 = 0;
};

// The labels of a data list (an annotation file such as train_list.txt): the last
// whitespace-separated field of every line, an int. Errors name the file and the line.
std::vector<int64_t> read_datalist_labels(const std::filesystem::path& path);

// sum_i coefficients[i] * scores[i] as get_weighted_score computes it: in double, each
// scores[i] of the same shape [N, ...]. With `apply_softmax`, each video's scores (a row, all its
// elements) go through softmax first, in their own dtype.
torch::Tensor fuse_scores(const std::vector<torch::Tensor>& scores,
                          const std::vector<double>& coefficients, bool apply_softmax);

AccuracyReport report_accuracy(const ReportAccuracyOptions& options);

// What report_accuracy.py prints: "Mean Class Accuracy: 0.5000\nTop 1 Accuracy: ...\nTop 5
// Accuracy: ...\n".
std::string format_accuracy_report(const AccuracyReport& report);

}  // namespace tubelet::analysis
