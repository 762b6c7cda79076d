// What LOSSES builds, and what heads need from it.
#pragma once

#include <torch/nn/module.h>

#include <string>
#include <utility>
#include <vector>

namespace tubelet {

class Loss : public torch::nn::Module {
 public:
  // The (weighted) loss of `score` against `label`: class indices, or one row of class
  // probabilities per sample. Every loss a head can take writes it; a loss that only its own
  // model calls (BMNLoss, BinaryLogisticRegressionLoss) has its own forward instead, and this
  // one says so.
  virtual torch::Tensor forward_loss(const torch::Tensor& score, const torch::Tensor& label);
  // MMAction2's loss_cls(score, label, **aux): `aux` holds the batch tensors a recognizer's
  // train_cfg.aux_info names (HVULoss's mask and category_mask). The named losses, as a head
  // adds them to its own; by default {"loss_cls": forward_loss(score, label)}, and a loss that
  // takes no extra inputs refuses them by name.
  virtual std::vector<std::pair<std::string, torch::Tensor>> forward_with_aux(
      const torch::Tensor& score, const torch::Tensor& label,
      const std::vector<std::pair<std::string, torch::Tensor>>& aux);
};

}  // namespace tubelet
