// Average precision for multi-label recognition, as MMAction2 computes it from its step-wise
// binary precision/recall curve.
#pragma once

#include <torch/types.h>

#include <vector>

namespace tubelet {

struct PrecisionRecallCurve {
  std::vector<double> precision;  // ends with 1
  std::vector<double> recall;     // decreasing, ends with 0
  std::vector<double> thresholds;
};

// binary_precision_recall_curve(y_score, y_true): y_true counts as positive where it equals 1.
PrecisionRecallCurve binary_precision_recall_curve(const std::vector<double>& score,
                                                   const std::vector<double>& truth);

// -sum(diff(recall) * precision[:-1]); NaN when there is no positive.
double average_precision(const std::vector<double>& score, const std::vector<double>& truth);

// scores and many-hot labels, both [N, num_classes]. mean_average_precision averages the
// per-class APs, leaving out classes without a positive (NaN when none is left);
// mmit_mean_average_precision averages per-sample APs (NaN stays NaN, as in MMAction2).
double mean_average_precision(const torch::Tensor& scores, const torch::Tensor& labels);
double mmit_mean_average_precision(const torch::Tensor& scores, const torch::Tensor& labels);

}  // namespace tubelet
