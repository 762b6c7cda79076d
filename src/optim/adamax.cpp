// Adamax, to torch/optim/adamax.py of PyTorch 1.13 (_single_tensor_adamax).
#include "tubelet/optim/adamax.h"

#include <torch/optim/serialize.h>

#include <cmath>

#include "tubelet/optim/group_options.h"
#include "tubelet/optim/optimizer_helpers.h"
#include "tubelet/optim/registries.h"

namespace tubelet {

void AdamaxOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(betas);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(maximize);
}

void AdamaxOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(betas_t, betas);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, maximize);
}

void AdamaxParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_avg);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(exp_inf);
}

void AdamaxParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_avg);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, exp_inf);
}

Adamax::Adamax(std::vector<torch::optim::OptimizerParamGroup> param_groups, AdamaxOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdamaxOptions>(defaults)) {}

torch::Tensor Adamax::step(LossClosure closure) {
  return optim::step_params<AdamaxOptions, AdamaxParamState>(
      *this, "Adamax", closure,
      [](const AdamaxOptions& o, torch::Tensor& param, torch::Tensor grad, AdamaxParamState& state,
         bool first) {
        if (first) {
          state.exp_avg(torch::zeros_like(param, torch::MemoryFormat::Preserve));
          state.exp_inf(torch::zeros_like(param, torch::MemoryFormat::Preserve));
        }
        state.step(state.step() + 1);
        const auto [beta1, beta2] = o.betas();
        if (o.maximize()) grad = -grad;
        if (o.weight_decay() != 0) grad = grad.add(param, o.weight_decay());
        auto& exp_avg = state.exp_avg();
        auto& exp_inf = state.exp_inf();
        exp_avg.mul_(beta1).add_(grad, 1 - beta1);
        // exp_inf = max(beta2 * exp_inf, |grad| + eps), elementwise
        auto norm_buf =
            torch::cat({exp_inf.mul_(beta2).unsqueeze(0), grad.abs().add_(o.eps()).unsqueeze_(0)});
        torch::amax_out(exp_inf, norm_buf, {0}, false);
        const double bias_correction = 1 - std::pow(beta1, static_cast<double>(state.step()));
        param.addcdiv_(exp_avg, exp_inf, -o.lr() / bias_correction);
      });
}

void Adamax::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<AdamaxParamState, AdamaxOptions>(archive, *this);
}

void Adamax::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<AdamaxParamState, AdamaxOptions>(archive, *this);
}

namespace {

std::shared_ptr<torch::optim::Optimizer> build_adamax(Args& args, ParamGroups groups) {
  AdamaxOptions o(args.get("lr", 2e-3));
  optim::check_non_negative(args, "lr", o.lr(), "learning rate");
  o.eps(args.get("eps", 1e-8));
  optim::check_non_negative(args, "eps", o.eps(), "epsilon value");
  auto betas = optim::read_betas(args);
  o.betas({betas.first, betas.second})
      .weight_decay(args.get("weight_decay", 0.0))
      .maximize(args.get("maximize", false));
  optim::check_non_negative(args, "weight_decay", o.weight_decay(), "weight_decay value");
  optim::read_implementation_flags(args, {});
  return std::make_shared<Adamax>(std::move(groups), o);
}

}  // namespace

TUBELET_REGISTER(OPTIMIZERS, Adamax, build_adamax);
TUBELET_REGISTER_GROUP_OPTIONS(AdamaxOptions,
                               GroupOptionFields<AdamaxOptions>()
                                   .real(TUBELET_GROUP_OPTION(lr))
                                   .pair(TUBELET_GROUP_OPTION(betas))
                                   .real(TUBELET_GROUP_OPTION(eps))
                                   .number(TUBELET_GROUP_OPTION(weight_decay))
                                   .fixed("foreach", Value(), {Value(true), Value(false)})
                                   .boolean(TUBELET_GROUP_OPTION(maximize)));

}  // namespace tubelet
