// Per-class accuracies from the argmax prediction: MMAction2's mean_class_accuracy and
// top_k_classes.
#pragma once

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace tubelet {

// The mean over every label that is a true label or a prediction of hits / samples of that
// class; a class that is only predicted counts as 0. Score ties go to the lower class index.
double mean_class_accuracy(const torch::Tensor& scores, const std::vector<int64_t>& labels);

// The k classes of highest ("accurate") or lowest ("inaccurate") hit ratio, as
// (label, ratio) pairs, ordered as MMAction2's argsort of the ratios orders them.
std::vector<std::pair<int64_t, double>> top_k_classes(const torch::Tensor& scores,
                                                      const std::vector<int64_t>& labels,
                                                      int64_t k = 10,
                                                      const std::string& mode = "accurate");

}  // namespace tubelet
