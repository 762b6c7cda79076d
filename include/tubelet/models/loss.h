// What heads need from a loss registered in LOSSES.
#pragma once

#include <torch/nn/module.h>

namespace tubelet {

class Loss : public torch::nn::Module {
 public:
  // The (weighted) loss of `score` against `label`: class indices, or one row of class
  // probabilities per sample.
  virtual torch::Tensor forward_loss(const torch::Tensor& score, const torch::Tensor& label) = 0;
};

}  // namespace tubelet
