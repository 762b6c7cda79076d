// Rprop, to torch/optim/rprop.py of PyTorch 1.13 (_single_tensor_rprop).
#include "tubelet/optim/rprop.h"

#include <torch/optim/serialize.h>

#include "tubelet/optim/group_options.h"
#include "tubelet/optim/optimizer_helpers.h"
#include "tubelet/optim/registries.h"

namespace tubelet {

void RpropOptions::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(lr);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(etas);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step_sizes);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(maximize);
}

void RpropOptions::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(double, lr);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(pair_t, etas);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(pair_t, step_sizes);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(bool, maximize);
}

void RpropParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(prev);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step_size);
}

void RpropParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, prev);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, step_size);
}

Rprop::Rprop(std::vector<torch::optim::OptimizerParamGroup> param_groups, RpropOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<RpropOptions>(defaults)) {}

torch::Tensor Rprop::step(LossClosure closure) {
  return optim::step_params<RpropOptions, RpropParamState>(
      *this, "Rprop", closure,
      [](const RpropOptions& o, torch::Tensor& param, torch::Tensor grad, RpropParamState& state,
         bool first) {
        if (first) {
          state.prev(torch::zeros_like(param, torch::MemoryFormat::Preserve));
          state.step_size(torch::full_like(grad, o.lr()));
        }
        state.step(state.step() + 1);
        const auto [etaminus, etaplus] = o.etas();
        const auto [step_size_min, step_size_max] = o.step_sizes();
        if (o.maximize()) grad = -grad;
        // The factor for each step size: etaplus where the gradient kept its sign, etaminus
        // where it flipped, 1 where either is zero.
        auto sign = grad.mul(state.prev()).sign();
        sign.masked_fill_(sign.gt(0), etaplus);
        sign.masked_fill_(sign.lt(0), etaminus);
        sign.masked_fill_(sign.eq(0), 1);
        state.step_size().mul_(sign).clamp_(step_size_min, step_size_max);
        // No move (and no memory of the gradient) where the sign flipped.
        grad = grad.clone(torch::MemoryFormat::Preserve);
        grad.masked_fill_(sign.eq(etaminus), 0);
        param.addcmul_(grad.sign(), state.step_size(), -1);
        state.prev().copy_(grad);
      });
}

void Rprop::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<RpropParamState, RpropOptions>(archive, *this);
}

void Rprop::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<RpropParamState, RpropOptions>(archive, *this);
}

namespace {

std::pair<double, double> read_pair_rprop(Args& args, const char* key,
                                          std::pair<double, double> fallback) {
  std::vector<double> v = args.get(key, std::vector<double>{fallback.first, fallback.second});
  if (v.size() != 2) throw args.error(key, std::string(key) + " must hold two floats");
  return {v[0], v[1]};
}

std::shared_ptr<torch::optim::Optimizer> build_rprop(Args& args, ParamGroups groups) {
  RpropOptions o(args.get("lr", 1e-2));
  optim::check_non_negative(args, "lr", o.lr(), "learning rate");
  auto etas = read_pair_rprop(args, "etas", {0.5, 1.2});
  if (!(0.0 < etas.first && etas.first < 1.0 && 1.0 < etas.second))
    throw args.error(
        "etas", "Invalid eta values: " + repr(Value(etas.first)) + ", " + repr(Value(etas.second)));
  auto step_sizes = read_pair_rprop(args, "step_sizes", {1e-6, 50.0});
  o.etas({etas.first, etas.second})
      .step_sizes({step_sizes.first, step_sizes.second})
      .maximize(args.get("maximize", false));
  optim::read_implementation_flags(args, {});
  return std::make_shared<Rprop>(std::move(groups), o);
}

}  // namespace

TUBELET_REGISTER(OPTIMIZERS, Rprop, build_rprop);
TUBELET_REGISTER_GROUP_OPTIONS(RpropOptions,
                               GroupOptionFields<RpropOptions>()
                                   .real(TUBELET_GROUP_OPTION(lr))
                                   .pair(TUBELET_GROUP_OPTION(etas))
                                   // PyTorch's default is (1e-06, 50): the maximum an int
                                   .pair(TUBELET_GROUP_OPTION(step_sizes), false, true)
                                   .fixed("foreach", Value(), {Value(true), Value(false)})
                                   .boolean(TUBELET_GROUP_OPTION(maximize)));

}  // namespace tubelet
