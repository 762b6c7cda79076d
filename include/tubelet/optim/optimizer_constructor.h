// mmcv's optimizer constructors (OPTIMIZER_BUILDERS): they split a model's parameters into
// groups with their own lr / weight_decay, then build the optimizer over those groups.
//
//   optimizer = dict(type='SGD', lr=0.01, weight_decay=1e-4,
//                    constructor='TSMOptimizerConstructor', paramwise_cfg=dict(fc_lr5=True))
//
// A new constructor derives from OptimizerConstructor, overrides add_params (mmcv's hook
// for subclasses) and registers a builder with TUBELET_REGISTER(OPTIMIZER_BUILDERS, ...).
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/optim/registries.h"

namespace tubelet {

// One param group as the constructor makes it: the parameters, their names in the model
// (for `tubelet param-groups`), and the options it sets, as Python values in the order set.
struct ParamGroupSpec {
  std::vector<torch::Tensor> params;
  std::vector<std::string> names;
  Dict options;
};

class OptimizerConstructor {
 public:
  // `optimizer_cfg` is the optimizer's config without constructor and paramwise_cfg.
  OptimizerConstructor(Value optimizer_cfg, Dict paramwise_cfg, std::string path);
  virtual ~OptimizerConstructor() = default;

  // The groups the optimizer will get: one group of every parameter when paramwise_cfg is
  // None or empty, else what add_params makes. This is mmcv's __call__: a constructor's
  // add_params runs only with a non-empty paramwise_cfg (build_optimizer_constructor warns
  // when a custom constructor is named without one).
  std::vector<ParamGroupSpec> param_groups(const torch::nn::Module& model) const;
  // Builds the optimizer from OPTIMIZERS over param_groups(model).
  std::shared_ptr<torch::optim::Optimizer> build(const torch::nn::Module& model) const;

 protected:
  // Appends the model's groups to `groups` (mmcv's add_params(params, model)).
  virtual void add_params(std::vector<ParamGroupSpec>& groups,
                          const torch::nn::Module& model) const = 0;

  Value optimizer_cfg_;
  Dict paramwise_cfg_;
  std::string path_;              // "optimizer", for messages
  std::optional<Value> base_lr_;  // optimizer_cfg's lr and weight_decay, as given
  std::optional<Value> base_wd_;
};

// mmcv's build_optimizer: pops `constructor` (default DefaultOptimizerConstructor) and
// `paramwise_cfg`, builds the constructor from OPTIMIZER_BUILDERS and returns it.
std::shared_ptr<OptimizerConstructor> build_optimizer_constructor(const Value& optimizer_cfg,
                                                                  const std::string& path);
std::shared_ptr<torch::optim::Optimizer> build_optimizer(const torch::nn::Module& model,
                                                         const Value& optimizer_cfg,
                                                         const std::string& path = "optimizer");

// The groups of a built optimizer as PyTorch lists them: {"params": [names...], the
// constructor's options in the order it set them, then every other option of the group}.
List describe_param_groups(const std::vector<ParamGroupSpec>& specs,
                           const torch::optim::Optimizer& optimizer);

// Python's `a * b` on numbers: int * int stays an int, anything else is a float.
Value python_multiply(const Value& a, const Value& b);

}  // namespace tubelet
