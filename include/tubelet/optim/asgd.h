// ASGD (averaged SGD) as PyTorch 1.13's torch.optim.ASGD (LibTorch has none). As in PyTorch,
// eta and mu are kept as float32 scalars, so the step sizes are rounded as PyTorch rounds them.
#pragma once

#include <torch/arg.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include <vector>

namespace tubelet {

struct ASGDOptions : torch::optim::OptimizerCloneableOptions<ASGDOptions> {
  ASGDOptions(double lr = 1e-2) : lr_(lr) {}
  TORCH_ARG(double, lr);
  TORCH_ARG(double, lambd) = 1e-4;
  TORCH_ARG(double, alpha) = 0.75;
  TORCH_ARG(double, t0) = 1e6;
  TORCH_ARG(double, weight_decay) = 0;
  TORCH_ARG(bool, maximize) = false;

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override { return lr(); }
  void set_lr(const double lr) override { this->lr(lr); }
};

struct ASGDParamState : torch::optim::OptimizerCloneableParamState<ASGDParamState> {
  TORCH_ARG(int64_t, step) = 0;
  TORCH_ARG(torch::Tensor, eta);  // float32 scalar
  TORCH_ARG(torch::Tensor, mu);   // float32 scalar
  TORCH_ARG(torch::Tensor, ax);   // the averaged parameter

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

class ASGD : public torch::optim::Optimizer {
 public:
  explicit ASGD(std::vector<torch::optim::OptimizerParamGroup> param_groups,
                ASGDOptions defaults = {});
  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

}  // namespace tubelet
