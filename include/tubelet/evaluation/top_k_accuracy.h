// MMAction2's top_k_accuracy: the share of samples whose label is among the k best scores.
#pragma once

#include <torch/types.h>

#include <vector>

namespace tubelet {

// scores [N, num_classes], labels [N] (class indices). Ties rank the higher class index
// first, as MMAction2's argsort-based implementation does.
std::vector<double> top_k_accuracy(const torch::Tensor& scores, const torch::Tensor& labels,
                                   const std::vector<int64_t>& topk);

}  // namespace tubelet
