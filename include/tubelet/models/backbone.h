// What recognizers need from a backbone registered in BACKBONES.
#pragma once

#include <torch/nn/module.h>

#include <vector>

namespace tubelet {

class Backbone : public torch::nn::Module {
 public:
  // The feature maps of the requested stages (`out_indices`), shallowest first; most
  // backbones return one. Recognizers hand them all to Head::forward_scores_from (SlowFast
  // returns {slow, fast}, which SlowFastHead reads); heads of one map take the last.
  virtual std::vector<torch::Tensor> forward_features(const torch::Tensor& x) = 0;
};

}  // namespace tubelet
