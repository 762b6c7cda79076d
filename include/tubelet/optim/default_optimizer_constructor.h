// mmcv 1.7.0's DefaultOptimizerConstructor: with a paramwise_cfg, one group per parameter
// with lr / weight_decay multipliers: custom_keys (substring match against "module.<name>",
// the name in the wrapped model MMAction2 trains; longest key first, ties alphabetical; the
// first match wins over every other rule), bias_lr_mult, bias_decay_mult,
// norm_decay_mult, dwconv_decay_mult, dcn_offset_lr_mult (no deformable convs here: no
// effect), bypass_duplicate.
#pragma once

#include "tubelet/optim/optimizer_constructor.h"

namespace tubelet {

class DefaultOptimizerConstructor : public OptimizerConstructor {
 public:
  DefaultOptimizerConstructor(Value optimizer_cfg, Dict paramwise_cfg, std::string path);

 protected:
  void add_params(std::vector<ParamGroupSpec>& groups,
                  const torch::nn::Module& model) const override;

 private:
  struct CustomKey {
    std::string key;
    Value lr_mult, decay_mult;
  };
  void add_module_params(std::vector<ParamGroupSpec>& groups, const torch::nn::Module& module,
                         const std::string& prefix) const;
  // lr / weight_decay for parameter `name` of `module` (named `prefix.name`).
  void set_options(ParamGroupSpec& group, const torch::nn::Module& module,
                   const std::string& prefix, const std::string& name) const;
  Value mult(const char* key) const;
  Value scaled_lr(const Value& multiplier) const;

  std::vector<CustomKey> custom_keys_;  // in matching order
  bool bypass_duplicate_ = false;
};

}  // namespace tubelet
