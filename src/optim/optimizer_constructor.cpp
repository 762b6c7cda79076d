#include "tubelet/optim/optimizer_constructor.h"

#include <iostream>

#include "tubelet/config/error.h"
#include "tubelet/optim/group_options.h"

namespace tubelet {

namespace {

// Every parameter once (shared ones at their first name), in named_parameters order.
ParamGroupSpec all_parameters(const torch::nn::Module& model) {
  ParamGroupSpec group;
  std::set<const void*> seen;
  for (const auto& item : model.named_parameters())
    if (seen.insert(item.value().unsafeGetTensorImpl()).second) {
      group.params.push_back(item.value());
      group.names.push_back(item.key());
    }
  return group;
}

}  // namespace

Value python_multiply(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) return Value(a.as_int() * b.as_int());
  return Value(a.as_float() * b.as_float());
}

OptimizerConstructor::OptimizerConstructor(Value optimizer_cfg, Dict paramwise_cfg,
                                           std::string path)
    : optimizer_cfg_(std::move(optimizer_cfg)),
      paramwise_cfg_(std::move(paramwise_cfg)),
      path_(std::move(path)) {
  if (!optimizer_cfg_.is_dict())
    throw ConfigError(path_ + ": optimizer_cfg should be a dict", optimizer_cfg_.location());
  const Dict& cfg = optimizer_cfg_.as_dict();
  if (const Value* lr = cfg.find("lr"); lr && !lr->is_none()) base_lr_ = *lr;
  if (const Value* wd = cfg.find("weight_decay"); wd && !wd->is_none()) base_wd_ = *wd;
}

std::vector<ParamGroupSpec> OptimizerConstructor::param_groups(
    const torch::nn::Module& model) const {
  if (paramwise_cfg_.empty()) return {all_parameters(model)};
  std::vector<ParamGroupSpec> groups;
  add_params(groups, model);
  return groups;
}

std::shared_ptr<torch::optim::Optimizer> OptimizerConstructor::build(
    const torch::nn::Module& model) const {
  std::vector<ParamGroupSpec> specs = param_groups(model);
  ParamGroups groups;
  for (const auto& spec : specs) groups.emplace_back(spec.params);
  auto optimizer = OPTIMIZERS().build(optimizer_cfg_, BuildContext(path_), std::move(groups));
  // The constructor's options go over the optimizer's defaults, group by group.
  for (size_t i = 0; i < specs.size(); ++i)
    for (const auto& [key, value] : specs[i].options.items()) {
      try {
        set_group_option(optimizer->param_groups()[i].options(), key.as_str(), value);
      } catch (const std::invalid_argument& e) {
        // Which group (by its first parameter) and which option: the constructor set an
        // option this optimizer does not have (e.g. lr for one whose rate is named otherwise).
        const std::string first = specs[i].names.empty() ? "" : " (" + specs[i].names[0] + ")";
        throw ConfigError(path_ + ": param group " + std::to_string(i) + first +
                              ": the optimizer constructor set '" + key.as_str() +
                              "', which the optimizer lacks: " + e.what(),
                          optimizer_cfg_.location());
      }
    }
  return optimizer;
}

List describe_param_groups(const std::vector<ParamGroupSpec>& specs,
                           const torch::optim::Optimizer& optimizer) {
  List out;
  for (size_t i = 0; i < specs.size(); ++i) {
    Dict group;
    List names;
    for (const auto& name : specs[i].names) names.push_back(Value(name));
    group.set("params", Value::list(std::move(names)));
    for (const auto& [key, value] : specs[i].options.items()) group.set(key, value);
    const Dict defaults = group_options(optimizer.param_groups()[i].options());
    for (const auto& [key, value] : defaults.items())
      if (!group.contains(key)) group.set(key, value);
    out.push_back(Value(std::move(group)));
  }
  return out;
}

std::shared_ptr<OptimizerConstructor> build_optimizer_constructor(const Value& optimizer_cfg,
                                                                  const std::string& path) {
  if (!optimizer_cfg.is_dict())
    throw ConfigError(path + " must be a dict", optimizer_cfg.location());
  Value cfg = optimizer_cfg;
  Dict& d = cfg.mutable_dict();
  Value type =
      d.contains("constructor") ? d.at("constructor") : Value("DefaultOptimizerConstructor");
  Value paramwise = d.contains("paramwise_cfg") ? d.at("paramwise_cfg") : Value();
  d.erase("constructor");
  d.erase("paramwise_cfg");
  // mmcv calls add_params only when paramwise_cfg is given (and not empty); without one, a
  // custom constructor's rules are silently skipped there. Same behaviour, but said.
  const bool no_paramwise =
      paramwise.is_none() || (paramwise.is_dict() && paramwise.as_dict().empty());
  if (no_paramwise && type.is_str() && type.as_str() != "DefaultOptimizerConstructor")
    std::cerr << "Warning: " << path << ": constructor '" << type.as_str()
              << "' without a paramwise_cfg: as in mmcv, every parameter goes in one group and "
                 "its add_params is not called\n";
  Dict builder;
  builder.set("type", type);
  builder.set("optimizer_cfg", cfg);
  builder.set("paramwise_cfg", paramwise);
  return OPTIMIZER_BUILDERS().build(Value(std::move(builder)).at(optimizer_cfg.location()),
                                    BuildContext(path));
}

std::shared_ptr<torch::optim::Optimizer> build_optimizer(const torch::nn::Module& model,
                                                         const Value& optimizer_cfg,
                                                         const std::string& path) {
  return build_optimizer_constructor(optimizer_cfg, path)->build(model);
}

}  // namespace tubelet
