// What the optimizers written here share: PyTorch's argument checks for their builders and
// the loop over parameters that have a gradient.
#pragma once

#include <torch/optim/optimizer.h>
#include <torch/utils.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "tubelet/args.h"
#include "tubelet/torch_compat.h"

namespace tubelet::optim {

// PyTorch's "Invalid learning rate: -1.0" (`what` is "learning rate") unless value >= 0.
void check_non_negative(Args& args, const char* key, double value, const char* what);
// betas=(b0, b1), each in [0, 1) as PyTorch requires ("Invalid beta parameter at index 1: 1.0").
std::pair<double, double> read_betas(Args& args, std::pair<double, double> fallback = {0.9, 0.999});
// PyTorch's switches that pick an implementation with the same result (foreach) are accepted;
// those in `refused` that would change the result are an error unless left at False.
void read_implementation_flags(Args& args, std::initializer_list<const char*> refused);

// Throws unless `grad` is a dense real gradient (PyTorch's "Adadelta does not support sparse
// gradients"; complex parameters are not supported here).
void check_gradient(const torch::Tensor& param, const torch::Tensor& grad, const char* optimizer);

// One optimizer step as LibTorch's optimizers do it: the closure (if any) runs with autograd
// on, then `update(options, param, grad, state, first)` runs without autograd for every
// parameter that has a gradient; `first` is true when its state was just created.
template <class Options, class State, class Update>
torch::Tensor step_params(torch::optim::Optimizer& optimizer, const char* name,
                          const torch::optim::Optimizer::LossClosure& closure, Update update) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : optimizer.param_groups()) {
    auto& options = static_cast<Options&>(group.options());
    for (auto& param : group.params()) {
      if (!param.grad().defined()) continue;
      check_gradient(param, param.grad(), name);
      auto& slot = optimizer.state()[compat::optimizer_state_key(param)];
      const bool first = slot == nullptr;
      if (first) slot = std::make_unique<State>();
      update(options, param, param.grad(), static_cast<State&>(*slot), first);
    }
  }
  return loss;
}

}  // namespace tubelet::optim
