// The layer registries and mmcv's build_conv_layer / build_norm_layer /
// build_activation_layer on top of them.
#include "tubelet/models/layers.h"

namespace tubelet {

TUBELET_DEFINE_REGISTRY(LayerRegistry, CONV_LAYERS)
TUBELET_DEFINE_REGISTRY(LayerRegistry, NORM_LAYERS)
TUBELET_DEFINE_REGISTRY(LayerRegistry, ACTIVATION_LAYERS)

namespace {

Value int_list(const IntOrTuple& v) {
  List items;
  for (int64_t x : v) items.emplace_back(x);
  return Value::tuple(std::move(items));
}

const std::string& layer_type_of(const Value& cfg, const std::string& path) {
  if (!cfg.is_dict() || !cfg.as_dict().contains("type") || !cfg.as_dict().at("type").is_str())
    throw ConfigError(path + " must be a dict with a str 'type', got " + repr(cfg), cfg.location());
  return cfg.as_dict().at("type").as_str();
}

}  // namespace

torch::nn::AnyModule build_conv_layer(const Value& cfg, const ConvLayerArgs& a,
                                      const std::string& path) {
  Dict defaults;
  defaults.set("in_channels", Value(a.in_channels));
  defaults.set("out_channels", Value(a.out_channels));
  defaults.set("kernel_size", int_list(a.kernel_size));
  defaults.set("stride", int_list(a.stride));
  defaults.set("padding", int_list(a.padding));
  defaults.set("dilation", int_list(a.dilation));
  defaults.set("groups", Value(a.groups));
  defaults.set("bias", Value(a.bias));
  Dict conv2d;
  conv2d.set("type", Value("Conv2d"));
  const Value& chosen = cfg.is_none() ? Value(conv2d) : cfg;
  return *CONV_LAYERS().build(chosen, {path, defaults});
}

std::string norm_abbreviation(const std::string& type) {
  if (type.rfind("BN", 0) == 0 || type == "SyncBN") return "bn";
  if (type == "GN") return "gn";
  if (type == "LN") return "ln";
  if (type.rfind("IN", 0) == 0) return "in";
  return "norm_layer";
}

std::pair<std::string, torch::nn::AnyModule> build_norm_layer(const Value& cfg,
                                                              int64_t num_features,
                                                              const std::string& postfix,
                                                              const std::string& path) {
  const std::string& type = layer_type_of(cfg, path);
  // requires_grad belongs to the builder, not to the layer.
  Value layer_cfg = cfg;
  bool requires_grad = true;
  if (const Value* rg = cfg.as_dict().find("requires_grad")) {
    if (!rg->is_bool())
      throw ConfigError(path + ".requires_grad must be a bool, got " + repr(*rg), rg->location());
    requires_grad = rg->as_bool();
    layer_cfg.mutable_dict().erase("requires_grad");
  }
  Dict defaults;
  defaults.set("eps", Value(1e-5));
  defaults.set(type == "GN" ? "num_channels" : "num_features", Value(num_features));
  auto layer = NORM_LAYERS().build(layer_cfg, {path, defaults});
  for (auto& p : layer->ptr()->parameters()) p.set_requires_grad(requires_grad);
  return {norm_abbreviation(type) + postfix, *layer};
}

torch::nn::AnyModule build_activation_layer(const Value& cfg, const std::string& path) {
  layer_type_of(cfg, path);
  return *ACTIVATION_LAYERS().build(cfg, {path});
}

}  // namespace tubelet
