#include "tubelet/evaluation/top_k_accuracy.h"

#include <ATen/ATen.h>

namespace tubelet {

std::vector<double> top_k_accuracy(const torch::Tensor& scores, const torch::Tensor& labels,
                                   const std::vector<int64_t>& topk) {
  TORCH_CHECK(scores.dim() == 2, "top_k_accuracy: scores must be [N, num_classes]");
  TORCH_CHECK(labels.dim() == 1 && labels.size(0) == scores.size(0),
              "top_k_accuracy: one label per sample");
  torch::Tensor s = scores.detach().to(torch::kCPU, torch::kDouble).contiguous();
  torch::Tensor l = labels.detach().to(torch::kCPU, torch::kLong).contiguous();
  int64_t n = s.size(0), classes = s.size(1);
  // The rank of the label: classes scoring higher, plus equal scores of a higher index.
  std::vector<int64_t> rank(static_cast<size_t>(n));
  auto sa = s.accessor<double, 2>();
  auto la = l.accessor<int64_t, 1>();
  for (int64_t i = 0; i < n; ++i) {
    int64_t label = la[i];
    TORCH_CHECK(label >= 0 && label < classes, "top_k_accuracy: label ", label, " out of range");
    double mine = sa[i][label];
    int64_t r = 0;
    for (int64_t c = 0; c < classes; ++c)
      if (sa[i][c] > mine || (sa[i][c] == mine && c > label)) ++r;
    rank[static_cast<size_t>(i)] = r;
  }
  std::vector<double> out;
  for (int64_t k : topk) {
    int64_t hits = 0;
    for (int64_t r : rank) hits += r < k;
    out.push_back(n ? static_cast<double>(hits) / static_cast<double>(n) : 0.0);
  }
  return out;
}

}  // namespace tubelet
