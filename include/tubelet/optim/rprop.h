// Rprop as PyTorch 1.13's torch.optim.Rprop (LibTorch has none): a per-weight step size grown
// by etas[1] while the gradient keeps its sign and shrunk by etas[0] when it flips.
#pragma once

#include <torch/arg.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include <tuple>
#include <vector>

namespace tubelet {

struct RpropOptions : torch::optim::OptimizerCloneableOptions<RpropOptions> {
  RpropOptions(double lr = 1e-2) : lr_(lr) {}
  using pair_t = std::tuple<double, double>;
  TORCH_ARG(double, lr);
  TORCH_ARG(pair_t, etas) = std::make_tuple(0.5, 1.2);
  TORCH_ARG(pair_t, step_sizes) = std::make_tuple(1e-6, 50.0);  // (min, max)
  TORCH_ARG(bool, maximize) = false;

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override { return lr(); }
  void set_lr(const double lr) override { this->lr(lr); }
};

struct RpropParamState : torch::optim::OptimizerCloneableParamState<RpropParamState> {
  TORCH_ARG(int64_t, step) = 0;
  TORCH_ARG(torch::Tensor, prev);
  TORCH_ARG(torch::Tensor, step_size);

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

class Rprop : public torch::optim::Optimizer {
 public:
  explicit Rprop(std::vector<torch::optim::OptimizerParamGroup> param_groups,
                 RpropOptions defaults = {});
  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

}  // namespace tubelet
