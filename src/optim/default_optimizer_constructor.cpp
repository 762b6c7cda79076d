#include "tubelet/optim/default_optimizer_constructor.h"

#include <algorithm>
#include <iostream>

#include "tubelet/config/error.h"
#include "tubelet/did_you_mean.h"
#include "tubelet/module_kinds.h"

namespace tubelet {

namespace {

const char* const kMultipliers[] = {"bias_lr_mult", "bias_decay_mult", "norm_decay_mult",
                                    "dwconv_decay_mult", "dcn_offset_lr_mult"};

bool holds(const std::vector<ParamGroupSpec>& groups, const torch::Tensor& p) {
  for (const auto& g : groups)
    for (const auto& q : g.params)
      if (q.unsafeGetTensorImpl() == p.unsafeGetTensorImpl()) return true;
  return false;
}

bool is_multiplier(const std::string& key) {
  return std::find_if(std::begin(kMultipliers), std::end(kMultipliers),
                      [&](const char* m) { return key == m; }) != std::end(kMultipliers);
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

const std::vector<std::string>& DefaultOptimizerConstructor::paramwise_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k{"custom_keys"};
    k.insert(k.end(), std::begin(kMultipliers), std::end(kMultipliers));
    k.push_back("bypass_duplicate");
    return k;
  }();
  return keys;
}

DefaultOptimizerConstructor::DefaultOptimizerConstructor(Value optimizer_cfg, Dict paramwise_cfg,
                                                         std::string path)
    : DefaultOptimizerConstructor(std::move(optimizer_cfg), std::move(paramwise_cfg),
                                  std::move(path), {}) {}

DefaultOptimizerConstructor::DefaultOptimizerConstructor(Value optimizer_cfg, Dict paramwise_cfg,
                                                         std::string path,
                                                         std::vector<std::string> own_keys)
    : OptimizerConstructor(std::move(optimizer_cfg), std::move(paramwise_cfg), std::move(path)) {
  const std::string where = path_ + ".paramwise_cfg";
  std::vector<std::string> known = paramwise_keys();
  known.insert(known.end(), own_keys.begin(), own_keys.end());
  for (const auto& [key, value] : paramwise_cfg_.items()) {
    const std::string& k = key.as_str();
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      // The near name, what is accepted, and how a subclass adds the keys it reads.
      throw ConfigError(where + ": unknown option '" + k + "'" + did_you_mean(k, known) +
                            " (known: " + joined(known) +
                            "; a constructor derived from DefaultOptimizerConstructor passes the "
                            "keys it reads itself to its base's constructor)",
                        value.location());
    }
    if (is_multiplier(k) && !value.is_number())
      throw ConfigError(where + "." + k + " must be a number", value.location());
    if ((k == "bias_decay_mult" || k == "norm_decay_mult" || k == "dwconv_decay_mult") && !base_wd_)
      throw ConfigError(where + ": base_wd should not be None", value.location());
    // mmcv would multiply None; name the setting instead (e.g. an optimizer whose learning
    // rate has another name, like the tutorial's MyOptimizer(a, b, c)).
    if (k == "bias_lr_mult" && !base_lr_) scaled_lr(value, "paramwise_cfg." + k, value);
  }
  bypass_duplicate_ = paramwise_cfg_.contains("bypass_duplicate") &&
                      is_truthy(paramwise_cfg_.at("bypass_duplicate"));
  if (const Value* keys = paramwise_cfg_.find("custom_keys")) {
    if (!keys->is_dict())
      throw ConfigError(where + ": If specified, custom_keys must be a dict", keys->location());
    for (const auto& [key, rule] : keys->as_dict().items()) {
      if (!key.is_str() || !rule.is_dict())
        throw ConfigError(where + ".custom_keys: each entry must map a str to a dict",
                          rule.location());
      const Dict& r = rule.as_dict();
      if (r.contains("decay_mult") && !base_wd_)
        throw ConfigError(where + ": base_wd should not be None", rule.location());
      custom_keys_.push_back({key.as_str(), r.contains("lr_mult") ? r.at("lr_mult") : Value(1.0),
                              r.contains("decay_mult") ? r.at("decay_mult") : Value(1.0), rule});
    }
    // Longest first; equal lengths alphabetically (mmcv sorts twice, stably).
    std::stable_sort(custom_keys_.begin(), custom_keys_.end(),
                     [](const CustomKey& a, const CustomKey& b) { return a.key < b.key; });
    std::stable_sort(
        custom_keys_.begin(), custom_keys_.end(),
        [](const CustomKey& a, const CustomKey& b) { return a.key.size() > b.key.size(); });
  }
}

Value DefaultOptimizerConstructor::scaled_lr(const Value& multiplier, const std::string& setting,
                                             const Value& where) const {
  if (!base_lr_) {
    const Value* type = optimizer_cfg_.as_dict().find("type");
    const std::string optimizer = type && type->is_str() ? type->as_str() : "the optimizer";
    throw ConfigError(path_ + "." + setting + ": scales the optimizer's lr, but the config of " +
                          optimizer + " has no lr (remove the setting, or give " + path_ +
                          " an lr)",
                      where.location());
  }
  return python_multiply(*base_lr_, multiplier);
}

Value DefaultOptimizerConstructor::mult(const char* key) const {
  const Value* v = paramwise_cfg_.find(key);
  return v ? *v : Value(1.0);
}

void DefaultOptimizerConstructor::add_params(std::vector<ParamGroupSpec>& groups,
                                             const torch::nn::Module& model) const {
  add_module_params(groups, model, "");
}

void DefaultOptimizerConstructor::add_module_params(std::vector<ParamGroupSpec>& groups,
                                                    const torch::nn::Module& module,
                                                    const std::string& prefix) const {
  for (const auto& item : module.named_parameters(/*recurse=*/false)) {
    const torch::Tensor& param = item.value();
    const std::string full_name = prefix.empty() ? item.key() : prefix + "." + item.key();
    ParamGroupSpec group{{param}, {full_name}, {}};
    if (param.requires_grad()) {
      if (bypass_duplicate_ && holds(groups, param)) {
        std::cerr << "Warning: " << prefix << " is duplicate. It is skipped since "
                  << "bypass_duplicate=True\n";
        continue;
      }
      set_options(group, module, prefix, item.key());
    }
    groups.push_back(std::move(group));
  }
  for (const auto& child : module.named_children())
    add_module_params(groups, *child.value(),
                      prefix.empty() ? child.key() : prefix + "." + child.key());
}

void DefaultOptimizerConstructor::set_options(ParamGroupSpec& group,
                                              const torch::nn::Module& module,
                                              const std::string& prefix,
                                              const std::string& name) const {
  // mmcv matches keys against f'{prefix}.{name}' of the model MMAction2's train_model has
  // wrapped in MM(Distributed)DataParallel, so every prefix starts with "module": keys such as
  // TimeSformer's '.backbone.cls_token' rely on it.
  const std::string dotted = (prefix.empty() ? "module" : "module." + prefix) + "." + name;
  for (const CustomKey& rule : custom_keys_)
    if (dotted.find(rule.key) != std::string::npos) {
      group.options.set(
          "lr",
          scaled_lr(rule.lr_mult, "paramwise_cfg.custom_keys['" + rule.key + "']", rule.where));
      if (base_wd_) group.options.set("weight_decay", python_multiply(*base_wd_, rule.decay_mult));
      return;
    }
  const bool norm = is_norm(module);
  if (name == "bias" && !norm)  // bias_lr_mult applies (default 1) whether given or not
    group.options.set(
        "lr", scaled_lr(mult("bias_lr_mult"),
                        "paramwise_cfg.bias_lr_mult (default 1, for every bias)", optimizer_cfg_));
  if (!base_wd_) return;
  if (norm)
    group.options.set("weight_decay", python_multiply(*base_wd_, mult("norm_decay_mult")));
  else if (is_depthwise_conv2d(module))
    group.options.set("weight_decay", python_multiply(*base_wd_, mult("dwconv_decay_mult")));
  else if (name == "bias")
    group.options.set("weight_decay", python_multiply(*base_wd_, mult("bias_decay_mult")));
}

namespace {

std::shared_ptr<OptimizerConstructor> build_default(Args& args) {
  Value cfg = args.required<Value>("optimizer_cfg");
  auto paramwise = args.get<std::optional<Dict>>("paramwise_cfg", std::nullopt);
  return std::make_shared<DefaultOptimizerConstructor>(cfg, paramwise.value_or(Dict{}),
                                                       args.path());
}

}  // namespace

TUBELET_REGISTER(OPTIMIZER_BUILDERS, DefaultOptimizerConstructor, build_default);

}  // namespace tubelet
