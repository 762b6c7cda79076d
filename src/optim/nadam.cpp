// NAdam, to torch/optim/nadam.py of PyTorch 1.13 (_single_tensor_nadam).
#include "tubelet/optim/nadam.h"

#include <torch/optim/serialize.h>

#include <cmath>

#include "tubelet/optim/group_options.h"
#include "tubelet/optim/optimizer_helpers.h"
#include "tubelet/optim/registries.h"

namespace tubelet {

void NAdamOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(betas);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(momentum_decay);
}

void NAdamOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(betas_t, betas);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, momentum_decay);
}

void NAdamParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(mu_product);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg_sq);
}

void NAdamParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, mu_product);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg_sq);
}

NAdam::NAdam(std::vector<torch::optim::OptimizerParamGroup> param_groups, NAdamOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<NAdamOptions>(defaults)) {}

torch::Tensor NAdam::step(LossClosure closure) {
  return optim::step_params<NAdamOptions, NAdamParamState>(
      *this, "NAdam", closure,
      [](const NAdamOptions& o, torch::Tensor& param, torch::Tensor grad, NAdamParamState& state,
         bool first) {
        if (first) {
          state.mu_product(torch::tensor(1.0, torch::kFloat));
          state.exp_avg(torch::zeros_like(param, torch::MemoryFormat::Preserve));
          state.exp_avg_sq(torch::zeros_like(param, torch::MemoryFormat::Preserve));
        }
        state.step(state.step() + 1);
        const double step = static_cast<double>(state.step());
        const auto [beta1, beta2] = o.betas();
        const double bias_correction2 = 1 - std::pow(beta2, step);
        if (o.weight_decay() != 0) grad = grad.add(param, o.weight_decay());
        // The momentum coefficients mu_t and mu_{t+1}.
        const double mu = beta1 * (1. - 0.5 * std::pow(0.96, step * o.momentum_decay()));
        const double mu_next = beta1 * (1. - 0.5 * std::pow(0.96, (step + 1) * o.momentum_decay()));
        auto& mu_product = state.mu_product();
        mu_product.mul_(mu);
        const double mu_product_next = (mu_product * mu * mu_next).item<double>();
        state.exp_avg().mul_(beta1).add_(grad, 1 - beta1);
        state.exp_avg_sq().mul_(beta2).addcmul_(grad, grad, 1 - beta2);
        auto denom = state.exp_avg_sq().div(bias_correction2).sqrt().add_(o.eps());
        param.addcdiv_(grad, denom, -o.lr() * (1. - mu) / (1. - mu_product.item<double>()));
        param.addcdiv_(state.exp_avg(), denom, -o.lr() * mu_next / (1. - mu_product_next));
      });
}

void NAdam::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<NAdamParamState, NAdamOptions>(archive, *this);
}

void NAdam::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<NAdamParamState, NAdamOptions>(archive, *this);
}

namespace {

std::shared_ptr<torch::optim::Optimizer> build_nadam(Args& args, ParamGroups groups) {
  NAdamOptions o(args.get("lr", 2e-3));
  optim::check_non_negative(args, "lr", o.lr(), "learning rate");
  o.eps(args.get("eps", 1e-8));
  optim::check_non_negative(args, "eps", o.eps(), "epsilon value");
  auto betas = optim::read_betas(args);
  o.betas({betas.first, betas.second})
      .weight_decay(args.get("weight_decay", 0.0))
      .momentum_decay(args.get("momentum_decay", 4e-3));
  optim::check_non_negative(args, "weight_decay", o.weight_decay(), "weight_decay value");
  optim::check_non_negative(args, "momentum_decay", o.momentum_decay(), "momentum_decay value");
  optim::read_implementation_flags(args, {});
  return std::make_shared<NAdam>(std::move(groups), o);
}

}  // namespace

TUBELET_REGISTER(OPTIMIZERS, NAdam, build_nadam);
TUBELET_REGISTER_GROUP_OPTIONS(NAdamOptions,
                               GroupOptionFields<NAdamOptions>()
                                   .real(TUBELET_GROUP_OPTION(lr))
                                   .pair(TUBELET_GROUP_OPTION(betas))
                                   .real(TUBELET_GROUP_OPTION(eps))
                                   .number(TUBELET_GROUP_OPTION(weight_decay))
                                   .real(TUBELET_GROUP_OPTION(momentum_decay))
                                   .fixed("foreach", Value(), {Value(true), Value(false)}));

}  // namespace tubelet
