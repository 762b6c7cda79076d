// ASGD, to torch/optim/asgd.py of PyTorch 1.13 (_single_tensor_asgd).
#include "tubelet/optim/asgd.h"

#include <torch/optim/serialize.h>

#include <algorithm>
#include <cmath>

#include "tubelet/optim/group_options.h"
#include "tubelet/optim/optimizer_helpers.h"
#include "tubelet/optim/registries.h"

namespace tubelet {

void ASGDOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lambd);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(alpha);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(t0);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(maximize);
}

void ASGDOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lambd);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, alpha);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, t0);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, maximize);
}

void ASGDParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eta);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(mu);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(ax);
}

void ASGDParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, eta);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, mu);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, ax);
}

ASGD::ASGD(std::vector<torch::optim::OptimizerParamGroup> param_groups, ASGDOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<ASGDOptions>(defaults)) {}

namespace {

// PyTorch keeps eta and mu as torch.tensor(python_float): float32.
torch::Tensor float32_scalar(double x) {
  return torch::tensor(x, torch::kFloat);
}

}  // namespace

torch::Tensor ASGD::step(LossClosure closure) {
  return optim::step_params<ASGDOptions, ASGDParamState>(
      *this, "ASGD", closure,
      [](const ASGDOptions& o, torch::Tensor& param, torch::Tensor grad, ASGDParamState& state,
         bool first) {
        if (first) {
          state.eta(float32_scalar(o.lr()));
          state.mu(float32_scalar(1.0));
          state.ax(torch::zeros_like(param, torch::MemoryFormat::Preserve));
        }
        state.step(state.step() + 1);
        const double step = static_cast<double>(state.step());
        if (o.maximize()) grad = -grad;
        if (o.weight_decay() != 0) grad = grad.add(param, o.weight_decay());
        const double eta = state.eta().item<double>();
        param.mul_(1 - o.lambd() * eta);
        param.add_(grad, -eta);
        if (state.mu().item<double>() != 1)
          state.ax().add_(param.sub(state.ax()).mul(state.mu()));
        else
          state.ax().copy_(param);
        state.eta().copy_(
            float32_scalar(o.lr() / std::pow(1 + o.lambd() * o.lr() * step, o.alpha())));
        state.mu().copy_(float32_scalar(1 / std::max(1.0, step - o.t0())));
      });
}

void ASGD::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<ASGDParamState, ASGDOptions>(archive, *this);
}

void ASGD::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<ASGDParamState, ASGDOptions>(archive, *this);
}

namespace {

std::shared_ptr<torch::optim::Optimizer> build_asgd(Args& args, ParamGroups groups) {
  ASGDOptions o(args.get("lr", 1e-2));
  o.lambd(args.get("lambd", 1e-4))
      .alpha(args.get("alpha", 0.75))
      .t0(args.get("t0", 1e6))
      .weight_decay(args.get("weight_decay", 0.0))
      .maximize(args.get("maximize", false));
  optim::check_non_negative(args, "lr", o.lr(), "learning rate");
  optim::check_non_negative(args, "weight_decay", o.weight_decay(), "weight_decay value");
  optim::read_implementation_flags(args, {});
  return std::make_shared<ASGD>(std::move(groups), o);
}

}  // namespace

TUBELET_REGISTER(OPTIMIZERS, ASGD, build_asgd);
TUBELET_REGISTER_GROUP_OPTIONS(ASGDOptions,
                               GroupOptionFields<ASGDOptions>()
                                   .real(TUBELET_GROUP_OPTION(lr))
                                   .real(TUBELET_GROUP_OPTION(lambd))
                                   .real(TUBELET_GROUP_OPTION(alpha))
                                   .real(TUBELET_GROUP_OPTION(t0))
                                   .number(TUBELET_GROUP_OPTION(weight_decay))
                                   .fixed("foreach", Value(), {Value(true), Value(false)})
                                   .boolean(TUBELET_GROUP_OPTION(maximize)));

}  // namespace tubelet
