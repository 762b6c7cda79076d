// MMAction2's confusion_matrix: counts of (real, predicted) label pairs over the sorted union of
// the labels that occur in either list.
#pragma once

#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

namespace tubelet {

struct ConfusionMatrix {
  std::vector<int64_t> labels;  // the sorted union: row/column i is labels[i]
  torch::Tensor matrix;         // rows = real, columns = predicted; int64, or double normalised
};

// `normalize`: std::nullopt (counts), "true" (rows sum to 1), "pred" (columns), "all"; a row or
// column without samples gives 0, as numpy's nan_to_num does there. Labels must be >= 0.
ConfusionMatrix confusion_matrix(const std::vector<int64_t>& pred, const std::vector<int64_t>& real,
                                 const std::optional<std::string>& normalize = std::nullopt);

// np.argmax(scores, axis=1): the first index of each row's maximum.
std::vector<int64_t> argmax_rows(const torch::Tensor& scores);

}  // namespace tubelet
