// The optimizers LibTorch implements, registered under PyTorch 1.13's names with its
// argument names, defaults and argument checks: SGD, Adam, AdamW, Adagrad, RMSprop, LBFGS
// (and MMAction2's CopyOfSGD).
#include <torch/optim.h>

#include "tubelet/optim/optimizer_helpers.h"
#include "tubelet/optim/registries.h"

namespace tubelet {

namespace {

using optim::check_non_negative;
using optim::read_betas;
using optim::read_implementation_flags;

std::shared_ptr<torch::optim::Optimizer> build_sgd(Args& args, ParamGroups groups) {
  torch::optim::SGDOptions o(args.required<double>("lr"));
  o.momentum(args.get("momentum", 0.0))
      .dampening(args.get("dampening", 0.0))
      .weight_decay(args.get("weight_decay", 0.0))
      .nesterov(args.get("nesterov", false));
  check_non_negative(args, "lr", o.lr(), "learning rate");
  check_non_negative(args, "momentum", o.momentum(), "momentum value");
  check_non_negative(args, "weight_decay", o.weight_decay(), "weight_decay value");
  if (o.nesterov() && (o.momentum() <= 0 || o.dampening() != 0))
    throw args.error("nesterov", "Nesterov momentum requires a momentum and zero dampening");
  read_implementation_flags(args, {"maximize", "differentiable"});
  return std::make_shared<torch::optim::SGD>(std::move(groups), o);
}

template <class Options>
Options adam_options(Args& args, double default_weight_decay) {
  Options o(args.get("lr", 1e-3));
  o.betas(read_betas(args))
      .eps(args.get("eps", 1e-8))
      .weight_decay(args.get("weight_decay", default_weight_decay))
      .amsgrad(args.get("amsgrad", false));
  check_non_negative(args, "lr", o.lr(), "learning rate");
  check_non_negative(args, "eps", o.eps(), "epsilon value");
  check_non_negative(args, "weight_decay", o.weight_decay(), "weight_decay value");
  read_implementation_flags(args, {"maximize", "capturable", "differentiable", "fused"});
  return o;
}

std::shared_ptr<torch::optim::Optimizer> build_adam(Args& args, ParamGroups groups) {
  return std::make_shared<torch::optim::Adam>(std::move(groups),
                                              adam_options<torch::optim::AdamOptions>(args, 0.0));
}

std::shared_ptr<torch::optim::Optimizer> build_adamw(Args& args, ParamGroups groups) {
  return std::make_shared<torch::optim::AdamW>(
      std::move(groups), adam_options<torch::optim::AdamWOptions>(args, 1e-2));
}

std::shared_ptr<torch::optim::Optimizer> build_adagrad(Args& args, ParamGroups groups) {
  torch::optim::AdagradOptions o(args.get("lr", 1e-2));
  o.lr_decay(args.get("lr_decay", 0.0))
      .weight_decay(args.get("weight_decay", 0.0))
      .initial_accumulator_value(args.get("initial_accumulator_value", 0.0))
      .eps(args.get("eps", 1e-10));
  check_non_negative(args, "lr", o.lr(), "learning rate");
  check_non_negative(args, "lr_decay", o.lr_decay(), "lr_decay value");
  check_non_negative(args, "weight_decay", o.weight_decay(), "weight_decay value");
  check_non_negative(args, "initial_accumulator_value", o.initial_accumulator_value(),
                     "initial_accumulator_value value");
  check_non_negative(args, "eps", o.eps(), "epsilon value");
  read_implementation_flags(args, {"maximize", "differentiable"});
  return std::make_shared<torch::optim::Adagrad>(std::move(groups), o);
}

std::shared_ptr<torch::optim::Optimizer> build_rmsprop(Args& args, ParamGroups groups) {
  torch::optim::RMSpropOptions o(args.get("lr", 1e-2));
  o.alpha(args.get("alpha", 0.99))
      .eps(args.get("eps", 1e-8))
      .weight_decay(args.get("weight_decay", 0.0))
      .momentum(args.get("momentum", 0.0))
      .centered(args.get("centered", false));
  check_non_negative(args, "lr", o.lr(), "learning rate");
  check_non_negative(args, "eps", o.eps(), "epsilon value");
  check_non_negative(args, "momentum", o.momentum(), "momentum value");
  check_non_negative(args, "weight_decay", o.weight_decay(), "weight_decay value");
  check_non_negative(args, "alpha", o.alpha(), "alpha value");
  read_implementation_flags(args, {"maximize", "differentiable"});
  return std::make_shared<torch::optim::RMSprop>(std::move(groups), o);
}

std::shared_ptr<torch::optim::Optimizer> build_lbfgs(Args& args, ParamGroups groups) {
  torch::optim::LBFGSOptions o(args.get("lr", 1.0));
  int64_t max_iter = args.get<int64_t>("max_iter", 20);
  o.max_iter(max_iter)
      // PyTorch: max_eval defaults to max_iter * 5 // 4.
      .max_eval(
          args.get<std::optional<int64_t>>("max_eval", std::nullopt).value_or(max_iter * 5 / 4))
      .tolerance_grad(args.get("tolerance_grad", 1e-7))
      .tolerance_change(args.get("tolerance_change", 1e-9))
      .history_size(args.get<int64_t>("history_size", 100));
  auto line_search = args.get<std::optional<std::string>>("line_search_fn", std::nullopt);
  if (line_search && *line_search != "strong_wolfe")
    throw args.error("line_search_fn", "only 'strong_wolfe' is supported");
  if (line_search) o.line_search_fn(*line_search);
  if (groups.size() != 1)
    throw args.error("lr", "LBFGS doesn't support per-parameter options (parameter groups)");
  return std::make_shared<torch::optim::LBFGS>(std::move(groups), o);
}

}  // namespace

TUBELET_REGISTER(OPTIMIZERS, SGD, build_sgd);
TUBELET_REGISTER(OPTIMIZERS, Adam, build_adam);
TUBELET_REGISTER(OPTIMIZERS, AdamW, build_adamw);
TUBELET_REGISTER(OPTIMIZERS, Adagrad, build_adagrad);
TUBELET_REGISTER(OPTIMIZERS, RMSprop, build_rmsprop);
TUBELET_REGISTER(OPTIMIZERS, LBFGS, build_lbfgs);
// MMAction2 registers a copy of SGD (mmaction/core/optimizer/copy_of_sgd.py) as its example
// of a custom optimizer; it is SGD in every respect.
TUBELET_REGISTER(OPTIMIZERS, CopyOfSGD, build_sgd);

}  // namespace tubelet
