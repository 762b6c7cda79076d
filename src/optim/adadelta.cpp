// Adadelta, to torch/optim/adadelta.py of PyTorch 1.13 (_single_tensor_adadelta).
#include "tubelet/optim/adadelta.h"

#include <torch/optim/serialize.h>

#include "tubelet/optim/group_options.h"
#include "tubelet/optim/optimizer_helpers.h"
#include "tubelet/optim/registries.h"

namespace tubelet {

void AdadeltaOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(rho);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(eps);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(weight_decay);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(maximize);
}

void AdadeltaOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, rho);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, eps);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, weight_decay);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, maximize);
}

void AdadeltaParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(square_avg);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(acc_delta);
}

void AdadeltaParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, square_avg);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, acc_delta);
}

Adadelta::Adadelta(std::vector<torch::optim::OptimizerParamGroup> param_groups,
                   AdadeltaOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdadeltaOptions>(defaults)) {}

torch::Tensor Adadelta::step(LossClosure closure) {
  return optim::step_params<AdadeltaOptions, AdadeltaParamState>(
      *this, "Adadelta", closure,
      [](const AdadeltaOptions& o, torch::Tensor& param, torch::Tensor grad,
         AdadeltaParamState& state, bool first) {
        if (first) {
          state.square_avg(torch::zeros_like(param, torch::MemoryFormat::Preserve));
          state.acc_delta(torch::zeros_like(param, torch::MemoryFormat::Preserve));
        }
        state.step(state.step() + 1);
        if (o.maximize()) grad = -grad;
        if (o.weight_decay() != 0) grad = grad.add(param, o.weight_decay());
        auto& square_avg = state.square_avg();
        auto& acc_delta = state.acc_delta();
        square_avg.mul_(o.rho()).addcmul_(grad, grad, 1 - o.rho());
        auto std = square_avg.add(o.eps()).sqrt_();
        auto delta = acc_delta.add(o.eps()).sqrt_().div_(std).mul_(grad);
        acc_delta.mul_(o.rho()).addcmul_(delta, delta, 1 - o.rho());
        param.add_(delta, -o.lr());
      });
}

void Adadelta::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<AdadeltaParamState, AdadeltaOptions>(archive, *this);
}

void Adadelta::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<AdadeltaParamState, AdadeltaOptions>(archive, *this);
}

namespace {

std::shared_ptr<torch::optim::Optimizer> build_adadelta(Args& args, ParamGroups groups) {
  AdadeltaOptions o(args.get("lr", 1.0));
  o.rho(args.get("rho", 0.9))
      .eps(args.get("eps", 1e-6))
      .weight_decay(args.get("weight_decay", 0.0))
      .maximize(args.get("maximize", false));
  optim::check_non_negative(args, "lr", o.lr(), "learning rate");
  if (o.rho() < 0 || o.rho() > 1)
    throw args.error("rho", "Invalid rho value: " + repr(Value(o.rho())));
  optim::check_non_negative(args, "eps", o.eps(), "epsilon value");
  optim::check_non_negative(args, "weight_decay", o.weight_decay(), "weight_decay value");
  optim::read_implementation_flags(args, {});
  return std::make_shared<Adadelta>(std::move(groups), o);
}

}  // namespace

TUBELET_REGISTER(OPTIMIZERS, Adadelta, build_adadelta);
TUBELET_REGISTER_GROUP_OPTIONS(AdadeltaOptions,
                               GroupOptionFields<AdadeltaOptions>()
                                   .real(TUBELET_GROUP_OPTION(lr))
                                   .real(TUBELET_GROUP_OPTION(rho))
                                   .real(TUBELET_GROUP_OPTION(eps))
                                   .number(TUBELET_GROUP_OPTION(weight_decay))
                                   .boolean(TUBELET_GROUP_OPTION(maximize))
                                   .fixed("foreach", Value(), {Value(true), Value(false)}));

}  // namespace tubelet
