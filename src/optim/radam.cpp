// RAdam, to torch/optim/radam.py of PyTorch 1.13 (_single_tensor_radam).
#include "tubelet/optim/radam.h"

#include <torch/optim/serialize.h>

#include <cmath>

#include "tubelet/optim/group_options.h"
#include "tubelet/optim/optimizer_helpers.h"
#include "tubelet/optim/registries.h"

namespace tubelet {

void RAdamOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(betas);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
}

void RAdamOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(betas_t, betas);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
}

void RAdamParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg_sq);
}

void RAdamParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg_sq);
}

RAdam::RAdam(std::vector<torch::optim::OptimizerParamGroup> param_groups, RAdamOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<RAdamOptions>(defaults)) {}

torch::Tensor RAdam::step(LossClosure closure) {
  return optim::step_params<RAdamOptions, RAdamParamState>(
      *this, "RAdam", closure,
      [](const RAdamOptions& o, torch::Tensor& param, torch::Tensor grad, RAdamParamState& state,
         bool first) {
        if (first) {
          state.exp_avg(torch::zeros_like(param, torch::MemoryFormat::Preserve));
          state.exp_avg_sq(torch::zeros_like(param, torch::MemoryFormat::Preserve));
        }
        state.step(state.step() + 1);
        const double step = static_cast<double>(state.step());
        const auto [beta1, beta2] = o.betas();
        const double bias_correction1 = 1 - std::pow(beta1, step);
        const double bias_correction2 = 1 - std::pow(beta2, step);
        if (o.weight_decay() != 0) grad = grad.add(param, o.weight_decay());
        state.exp_avg().mul_(beta1).add_(grad, 1 - beta1);
        state.exp_avg_sq().mul_(beta2).addcmul_(grad, grad, 1 - beta2);
        auto bias_corrected_exp_avg = state.exp_avg() / bias_correction1;
        // The maximum and the current length of the approximated SMA.
        const double rho_inf = 2 / (1 - beta2) - 1;
        const double rho_t = rho_inf - 2 * step * std::pow(beta2, step) / bias_correction2;
        if (rho_t > 5.) {
          const double rect = std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                                        ((rho_inf - 4) * (rho_inf - 2) * rho_t));
          // Python's `float / tensor` is tensor.reciprocal() * float: the same rounding here.
          auto adaptive_lr =
              state.exp_avg_sq().sqrt().add_(o.eps()).reciprocal() * std::sqrt(bias_correction2);
          param.add_(bias_corrected_exp_avg * o.lr() * adaptive_lr * rect, -1.0);
        } else {
          param.add_(bias_corrected_exp_avg * o.lr(), -1.0);
        }
      });
}

void RAdam::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<RAdamParamState, RAdamOptions>(archive, *this);
}

void RAdam::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<RAdamParamState, RAdamOptions>(archive, *this);
}

namespace {

std::shared_ptr<torch::optim::Optimizer> build_radam(Args& args, ParamGroups groups) {
  RAdamOptions o(args.get("lr", 1e-3));
  optim::check_non_negative(args, "lr", o.lr(), "learning rate");
  o.eps(args.get("eps", 1e-8));
  optim::check_non_negative(args, "eps", o.eps(), "epsilon value");
  auto betas = optim::read_betas(args);
  o.betas({betas.first, betas.second}).weight_decay(args.get("weight_decay", 0.0));
  optim::check_non_negative(args, "weight_decay", o.weight_decay(), "weight_decay value");
  optim::read_implementation_flags(args, {});
  return std::make_shared<RAdam>(std::move(groups), o);
}

}  // namespace

TUBELET_REGISTER(OPTIMIZERS, RAdam, build_radam);
TUBELET_REGISTER_GROUP_OPTIONS(RAdamOptions,
                               GroupOptionFields<RAdamOptions>()
                                   .real(TUBELET_GROUP_OPTION(lr))
                                   .pair(TUBELET_GROUP_OPTION(betas))
                                   .real(TUBELET_GROUP_OPTION(eps))
                                   .number(TUBELET_GROUP_OPTION(weight_decay))
                                   .fixed("foreach", Value(), {Value(true), Value(false)}));

}  // namespace tubelet
