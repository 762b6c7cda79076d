// What LOSSES builds, and what heads need from it.
#pragma once

#include <torch/nn/module.h>

namespace tubelet {

class Loss : public torch::nn::Module {
 public:
  // The (weighted) loss of `score` against `label`: class indices, or one row of class
  // probabilities per sample. Every loss a head can take writes it; a loss that only its own
  // model calls (BMNLoss, BinaryLogisticRegressionLoss) has its own forward instead, and this
  // one says so.
  virtual torch::Tensor forward_loss(const torch::Tensor& score, const torch::Tensor& label);
};

}  // namespace tubelet
