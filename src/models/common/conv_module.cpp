#include "tubelet/models/common/conv_module.h"

#include "tubelet/models/weight_init.h"

#include <algorithm>

namespace tubelet {

namespace {

bool is_permutation_of_conv_norm_act(const std::vector<std::string>& order) {
  std::vector<std::string> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  return sorted == std::vector<std::string>{"act", "conv", "norm"};
}

size_t position(const std::vector<std::string>& order, const std::string& name) {
  return static_cast<size_t>(std::find(order.begin(), order.end(), name) - order.begin());
}

// mmcv passes `inplace` to every activation except these.
bool takes_inplace(const std::string& type) {
  for (const char* t : {"Tanh", "PReLU", "Sigmoid", "HSigmoid", "Swish", "GELU"})
    if (type == t) return false;
  return true;
}

}  // namespace

Value ConvModuleOptions::default_act_cfg() {
  Dict relu;
  relu.set("type", Value("ReLU"));
  return Value(relu);
}

ConvModuleImpl::ConvModuleImpl(const ConvModuleOptions& o) : options(o) {
  const std::string& path = o.path();
  if (!is_permutation_of_conv_norm_act(o.order()))
    throw ConfigError(path + ": order must hold 'conv', 'norm' and 'act' once each");
  if (o.bias() != "auto" && o.bias() != "true" && o.bias() != "false")
    throw ConfigError(path + ": bias must be 'auto', True or False");
  bool with_norm = !o.norm_cfg().is_none();
  ConvLayerArgs conv{o.in_channels(), o.out_channels(), o.kernel_size(), o.stride(),
                     o.padding(),     o.dilation(),     o.groups(),      o.bias() == "true"};
  if (o.bias() == "auto") conv.bias = !with_norm;
  conv_ = build_conv_layer(o.conv_cfg(), conv, path + ".conv_cfg");
  register_module("conv", conv_.ptr());
  if (with_norm) {
    bool norm_after_conv = position(o.order(), "norm") > position(o.order(), "conv");
    auto [name, layer] = build_norm_layer(
        o.norm_cfg(), norm_after_conv ? o.out_channels() : o.in_channels(), "", path + ".norm_cfg");
    norm_name_ = name;
    norm_ = layer;
    register_module(norm_name_, norm_.ptr());
  }
  if (!o.act_cfg().is_none()) {
    Value act = o.act_cfg();
    const Value* type = act.is_dict() ? act.as_dict().find("type") : nullptr;
    if (type && type->is_str() && takes_inplace(type->as_str()) &&
        !act.as_dict().contains("inplace"))
      act.mutable_dict().set("inplace", Value(o.inplace()));
    activate_ = build_activation_layer(act, path + ".act_cfg");
    register_module("activate", activate_.ptr());
  }
  init_weights();
}

void ConvModuleImpl::init_weights() {
  double a = 0;
  bool leaky = false;
  const Value& act = options.act_cfg();
  if (act.is_dict() && act.as_dict().contains("type") &&
      act.as_dict().at("type") == Value("LeakyReLU")) {
    const Value* slope = act.as_dict().find("negative_slope");
    a = slope ? slope->as_float() : 0.01;
    leaky = true;
  }
  kaiming_init(*conv_.ptr(), a, /*fan_out=*/true, leaky);
  if (with_norm()) constant_init(*norm_.ptr(), 1, 0);
}

void ConvModuleImpl::replace_conv(torch::nn::AnyModule conv) {
  conv_ = std::move(conv);
  replace_module("conv", conv_.ptr());
}

torch::Tensor ConvModuleImpl::forward(torch::Tensor x) {
  for (const std::string& step : options.order()) {
    if (step == "conv")
      x = conv_.forward(x);
    else if (step == "norm" && with_norm())
      x = norm_.forward(x);
    else if (step == "act" && !activate_.is_empty())
      x = activate_.forward(x);
  }
  return x;
}

}  // namespace tubelet
