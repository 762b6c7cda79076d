// mmcv 1.7.0's DefaultOptimizerConstructor: with a paramwise_cfg, one group per parameter
// with lr / weight_decay multipliers: custom_keys (substring match against "module.<name>",
// the name in the wrapped model MMAction2 trains; longest key first, ties alphabetical; the
// first match wins over every other rule), bias_lr_mult, bias_decay_mult,
// norm_decay_mult, dwconv_decay_mult, dcn_offset_lr_mult (no deformable convs here: no
// effect), bypass_duplicate.
//
// mmcv reads paramwise_cfg with dict.get, so a misspelt key there is silently ignored; here
// any other key is an error with a did-you-mean. A subclass that reads keys of its own (the
// tutorial's MyOptimizerConstructor, MMAction2's fc_lr5) names them when it constructs its
// base, and they are accepted beside mmcv's:
//
//   class MyOptimizerConstructor : public DefaultOptimizerConstructor {
//    public:
//     MyOptimizerConstructor(Value optimizer_cfg, Dict paramwise_cfg, std::string path)
//         : DefaultOptimizerConstructor(std::move(optimizer_cfg), std::move(paramwise_cfg),
//                                       std::move(path), {"head_lr_mult"}) {}
//    protected:
//     void add_params(std::vector<ParamGroupSpec>& groups,
//                     const torch::nn::Module& model) const override;  // reads head_lr_mult
//   };
//
// As in mmcv, add_params runs only when paramwise_cfg is given and not empty: without one,
// every parameter goes in one group with the optimizer's own settings (see
// OptimizerConstructor::param_groups).
#pragma once

#include <string>
#include <vector>

#include "tubelet/optim/optimizer_constructor.h"

namespace tubelet {

class DefaultOptimizerConstructor : public OptimizerConstructor {
 public:
  DefaultOptimizerConstructor(Value optimizer_cfg, Dict paramwise_cfg, std::string path);

  // mmcv's paramwise_cfg keys.
  static const std::vector<std::string>& paramwise_keys();

 protected:
  // For subclasses: `own_keys` are the paramwise_cfg keys the subclass reads itself.
  DefaultOptimizerConstructor(Value optimizer_cfg, Dict paramwise_cfg, std::string path,
                              std::vector<std::string> own_keys);

  // mmcv's rules, parameter by parameter; a subclass may call it for the parameters it
  // leaves to them.
  void add_params(std::vector<ParamGroupSpec>& groups,
                  const torch::nn::Module& model) const override;

 private:
  struct CustomKey {
    std::string key;
    Value lr_mult, decay_mult;
    Value where;  // the rule, for its location in messages
  };
  void add_module_params(std::vector<ParamGroupSpec>& groups, const torch::nn::Module& module,
                         const std::string& prefix) const;
  // lr / weight_decay for parameter `name` of `module` (named `prefix.name`).
  void set_options(ParamGroupSpec& group, const torch::nn::Module& module,
                   const std::string& prefix, const std::string& name) const;
  Value mult(const char* key) const;
  // base_lr * multiplier; `setting` ("paramwise_cfg.bias_lr_mult") names, in the error an
  // optimizer without `lr` gets, the setting that asked for it.
  Value scaled_lr(const Value& multiplier, const std::string& setting, const Value& where) const;

  std::vector<CustomKey> custom_keys_;  // in matching order
  bool bypass_duplicate_ = false;
};

}  // namespace tubelet
