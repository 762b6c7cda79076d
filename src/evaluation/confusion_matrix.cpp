#include "tubelet/evaluation/confusion_matrix.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace tubelet {

namespace {

torch::Tensor normalized(const torch::Tensor& counts, const std::string& how) {
  torch::Tensor m = counts.to(torch::kDouble);
  if (how == "true") m = m / m.sum(1, true);
  if (how == "pred") m = m / m.sum(0, true);
  if (how == "all") m = m / m.sum();
  return torch::nan_to_num(m, 0.0);
}

}  // namespace

ConfusionMatrix confusion_matrix(const std::vector<int64_t>& pred, const std::vector<int64_t>& real,
                                 const std::optional<std::string>& normalize) {
  if (normalize && *normalize != "true" && *normalize != "pred" && *normalize != "all")
    throw std::invalid_argument("normalize must be one of {'true', 'pred', 'all', None}, got '" +
                                *normalize + "'");
  if (pred.size() != real.size())
    throw std::invalid_argument("confusion_matrix: " + std::to_string(pred.size()) +
                                " predictions for " + std::to_string(real.size()) + " labels");
  ConfusionMatrix out;
  std::map<int64_t, int64_t> position;
  for (const auto* list : {&pred, &real})
    for (int64_t label : *list) {
      if (label < 0)
        throw std::invalid_argument("confusion_matrix: negative label " + std::to_string(label));
      position[label] = 0;
    }
  for (auto& [label, pos] : position) {
    pos = static_cast<int64_t>(out.labels.size());
    out.labels.push_back(label);
  }
  const int64_t n = static_cast<int64_t>(out.labels.size());
  torch::Tensor counts = torch::zeros({n, n}, torch::kLong);
  auto c = counts.accessor<int64_t, 2>();
  for (size_t i = 0; i < pred.size(); ++i) ++c[position[real[i]]][position[pred[i]]];
  out.matrix = normalize ? normalized(counts, *normalize) : counts;
  return out;
}

std::vector<int64_t> argmax_rows(const torch::Tensor& scores) {
  TORCH_CHECK(scores.dim() == 2, "scores must be [N, num_classes]");
  torch::Tensor s = scores.detach().to(torch::kCPU, torch::kDouble).contiguous();
  auto a = s.accessor<double, 2>();
  std::vector<int64_t> out;
  for (int64_t i = 0; i < s.size(0); ++i) {
    int64_t best = 0;
    // np.argmax: the first maximum; a NaN wins as numpy's does.
    for (int64_t c = 1; c < s.size(1); ++c)
      if (!(a[i][best] != a[i][best]) && (a[i][c] > a[i][best] || a[i][c] != a[i][c])) best = c;
    out.push_back(best);
  }
  return out;
}

}  // namespace tubelet
