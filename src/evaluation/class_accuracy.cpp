#include "tubelet/evaluation/class_accuracy.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "tubelet/evaluation/confusion_matrix.h"

namespace tubelet {

namespace {

// hit / count per class of the confusion matrix's label set (0 for a class never true).
std::vector<double> hit_ratios(const torch::Tensor& scores, const std::vector<int64_t>& labels) {
  if (scores.dim() != 2 || scores.size(0) != static_cast<int64_t>(labels.size()))
    throw std::invalid_argument("class accuracy: scores must be [N, num_classes] for N labels");
  ConfusionMatrix cm = confusion_matrix(argmax_rows(scores), labels);
  auto m = cm.matrix.accessor<int64_t, 2>();
  std::vector<double> ratios;
  for (int64_t r = 0; r < cm.matrix.size(0); ++r) {
    int64_t count = 0;
    for (int64_t c = 0; c < cm.matrix.size(1); ++c) count += m[r][c];
    ratios.push_back(count ? static_cast<double>(m[r][r]) / static_cast<double>(count) : 0.0);
  }
  return ratios;
}

}  // namespace

double mean_class_accuracy(const torch::Tensor& scores, const std::vector<int64_t>& labels) {
  std::vector<double> ratios = hit_ratios(scores, labels);
  if (ratios.empty()) throw std::invalid_argument("mean_class_accuracy of no samples");
  return std::accumulate(ratios.begin(), ratios.end(), 0.0) / static_cast<double>(ratios.size());
}

std::vector<std::pair<int64_t, double>> top_k_classes(const torch::Tensor& scores,
                                                      const std::vector<int64_t>& labels, int64_t k,
                                                      const std::string& mode) {
  if (mode != "accurate" && mode != "inaccurate")
    throw std::invalid_argument("top_k_classes: mode must be 'accurate' or 'inaccurate'");
  std::vector<double> ratios = hit_ratios(scores, labels);
  // np.argsort of a short array is stable (numpy sorts small arrays by insertion).
  std::vector<int64_t> order(ratios.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return ratios[a] < ratios[b]; });
  const size_t n = std::min(order.size(), static_cast<size_t>(std::max<int64_t>(k, 0)));
  std::vector<std::pair<int64_t, double>> out;
  // MMAction2 reports the position in the label set, which is the label when labels are 0..C-1.
  if (mode == "accurate")
    for (size_t i = 0; i < n; ++i) out.emplace_back(order[order.size() - 1 - i], 0.0);
  else
    for (size_t i = 0; i < n; ++i) out.emplace_back(order[i], 0.0);
  for (auto& item : out) item.second = ratios[item.first];
  return out;
}

}  // namespace tubelet
