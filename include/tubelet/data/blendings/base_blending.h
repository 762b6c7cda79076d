// MMAction2's BaseMiniBatchBlending: mixes the videos of a training batch with each other and
// turns the hard labels into soft ones. A recognizer's train_cfg=dict(blending=...) builds one
// from BLENDINGS and applies it to every batch it computes losses for.
#pragma once

#include <torch/types.h>

#include <utility>

#include "tubelet/data/registries.h"

namespace tubelet {

class BaseMiniBatchBlending {
 public:
  explicit BaseMiniBatchBlending(int64_t num_classes);
  virtual ~BaseMiniBatchBlending() = default;

  // imgs [B, ...] (float); label [B, 1] class indices (int64). Returns the blended imgs (same
  // shape) and soft labels [B, 1, num_classes] (float). The input tensors are not modified.
  std::pair<torch::Tensor, torch::Tensor> operator()(const torch::Tensor& imgs,
                                                     const torch::Tensor& label) const;
  int64_t num_classes() const { return num_classes_; }

 protected:
  // `label` is the one-hot [B, 1, num_classes] (int64) form of the hard labels.
  virtual std::pair<torch::Tensor, torch::Tensor> do_blending(const torch::Tensor& imgs,
                                                              const torch::Tensor& label) const = 0;

 private:
  int64_t num_classes_;
};

// One draw of torch.distributions.Beta(alpha, alpha).sample() (a float32 scalar tensor on the
// CPU), made as PyTorch makes it: a Dirichlet draw over [alpha, alpha] from the default
// generator, first component. Seeded alike, LibTorch and PyTorch give the same value.
torch::Tensor sample_symmetric_beta(double alpha);

// The `alpha` argument of both blendings: Beta's concentration, which must be positive.
double read_blending_alpha(Args& args);

}  // namespace tubelet
