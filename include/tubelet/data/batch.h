// A collated batch as the data loader gives it to a model: named tensors stacked along the
// first dimension ("imgs", "label", "raw_feature", ...) and one meta dict per sample.
#pragma once

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet {

struct Batch {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  std::vector<Dict> metas;
  // Fields ToDataContainer kept unstacked (stack=False): one tensor per sample, whose shapes
  // may differ (a localization video's gt_bbox, PEM's proposals).
  std::vector<std::pair<std::string, std::vector<torch::Tensor>>> lists;

  // The tensor called `name`; throws std::out_of_range naming the keys the batch has.
  const torch::Tensor& at(const std::string& name) const;
  bool has(const std::string& name) const;
  // The unstacked field `name`, or nullptr.
  const std::vector<torch::Tensor>* list(const std::string& name) const;
  // Samples in the batch: the first dimension of the first tensor (0 when empty).
  int64_t size() const;
};

}  // namespace tubelet
