#include "tubelet/models/backbones/x3d.h"
#include "tubelet/models/freezing.h"
#include "tubelet/module_kinds.h"

#include <torch/nn/modules/conv.h>

#include <cmath>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/fileio/model_cache.h"
#include "tubelet/models/layers.h"
#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"

namespace tubelet {

namespace {

Value type_cfg_x3d(const char* name, const char* flag = nullptr) {
  Dict d;
  d.set("type", Value(name));
  if (flag) d.set(flag, Value(true));
  return Value(d);
}

// Squeeze-and-excitation: a per-channel gate computed from the clip's mean activation.
class SEModuleImpl : public torch::nn::Module {
 public:
  SEModuleImpl(int64_t channels, double reduction) {
    int64_t bottleneck = x3d_round_width(static_cast<double>(channels), reduction);
    fc1_ = register_module("fc1",
                           torch::nn::Conv3d(torch::nn::Conv3dOptions(channels, bottleneck, 1)));
    fc2_ = register_module("fc2",
                           torch::nn::Conv3d(torch::nn::Conv3dOptions(bottleneck, channels, 1)));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor gate = torch::adaptive_avg_pool3d(x, {1, 1, 1});
    gate = torch::sigmoid(fc2_(torch::relu(fc1_(gate))));
    return x * gate;
  }

 private:
  torch::nn::Conv3d fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(SEModule);

ConvModuleOptions x3d_conv(const X3DOptions& o, int64_t in, int64_t out, IntOrTuple kernel,
                           const std::string& path) {
  return ConvModuleOptions(in, out, std::move(kernel))
      .bias("false")
      .conv_cfg(o.conv_cfg())
      .norm_cfg(o.norm_cfg())
      .act_cfg(o.act_cfg())
      .path(path);
}

// 1x1x1 conv (act), depthwise 3x3x3 conv with the spatial stride, SE (optional), swish,
// 1x1x1 conv, residual sum, act.
class BlockX3DImpl : public torch::nn::Module {
 public:
  BlockX3DImpl(int64_t inplanes, int64_t planes, int64_t outplanes, int64_t spatial_stride,
               ConvModule downsample, std::optional<double> se_ratio, const X3DOptions& o,
               const std::string& path) {
    // Registered first, as MMAction2 assigns it first: its keys come before conv1's.
    if (downsample) downsample_ = register_module("downsample", downsample);
    conv1_ =
        register_module("conv1", ConvModule(x3d_conv(o, inplanes, planes, {1}, path + ".conv1")));
    conv2_ = register_module("conv2", ConvModule(x3d_conv(o, planes, planes, {3}, path + ".conv2")
                                                     .stride({1, spatial_stride, spatial_stride})
                                                     .padding({1})
                                                     .groups(planes)
                                                     .act_cfg(Value())));
    conv3_ = register_module(
        "conv3", ConvModule(x3d_conv(o, planes, outplanes, {1}, path + ".conv3").act_cfg(Value())));
    if (se_ratio) se_module_ = register_module("se_module", SEModule(planes, *se_ratio));
    relu_ = build_activation_layer(o.act_cfg(), path + ".act_cfg");
    register_module("relu", relu_.ptr());
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor out = conv2_(conv1_(x));
    if (se_module_) out = se_module_(out);
    out = conv3_(out * torch::sigmoid(out));
    out = out + (downsample_ ? downsample_(x) : x);
    return relu_.forward(out);
  }

  ConvModule conv3() const { return conv3_; }

 private:
  ConvModule downsample_{nullptr}, conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
  SEModule se_module_{nullptr};
  torch::nn::AnyModule relu_;
};
TORCH_MODULE(BlockX3D);

}  // namespace

int64_t x3d_round_width(double width, double multiplier) {
  if (multiplier == 0) return static_cast<int64_t>(width);
  constexpr int64_t kDivisor = 8, kMin = 8;
  width *= multiplier;
  int64_t rounded =
      std::max(kMin, static_cast<int64_t>(width + kDivisor / 2.0) / kDivisor * kDivisor);
  if (rounded < 0.9 * width) rounded += kDivisor;
  return rounded;
}

X3DOptions::X3DOptions()
    : conv_cfg_(type_cfg_x3d("Conv3d")),
      norm_cfg_(type_cfg_x3d("BN3d", "requires_grad")),
      act_cfg_(type_cfg_x3d("ReLU", "inplace")) {}

X3DOptions X3DOptions::from_config(Args& args) {
  X3DOptions o;
  o.gamma_w(args.get("gamma_w", 1.0))
      .gamma_b(args.get("gamma_b", 1.0))
      .gamma_d(args.get("gamma_d", 1.0))
      .pretrained(args.get<std::optional<std::string>>("pretrained", std::nullopt))
      .in_channels(args.get<int64_t>("in_channels", 3))
      .num_stages(args.get<int64_t>("num_stages", 4))
      .spatial_strides(args.get("spatial_strides", std::vector<int64_t>{2, 2, 2, 2}))
      .frozen_stages(args.get<int64_t>("frozen_stages", -1))
      .se_style(args.get("se_style", "half"))
      .se_ratio(args.get<std::optional<double>>("se_ratio", 1.0 / 16))
      .use_swish(args.get("use_swish", true))
      .conv_cfg(args.get("conv_cfg", o.conv_cfg()))
      .norm_cfg(args.get("norm_cfg", o.norm_cfg()))
      .act_cfg(args.get("act_cfg", o.act_cfg()))
      .norm_eval(args.get("norm_eval", false))
      // Accepted; activation checkpointing only saves memory.
      .with_cp(args.get("with_cp", false))
      .zero_init_residual(args.get("zero_init_residual", true))
      .path(args.path());
  return o;
}

X3DImpl::X3DImpl(const X3DOptions& o) : options(o) {
  const std::string& path = o.path();
  if (o.num_stages() < 1 || o.num_stages() > 4)
    throw ConfigError(path + ": num_stages must be 1..4");
  if (static_cast<int64_t>(o.spatial_strides().size()) != o.num_stages())
    throw ConfigError(path + ": spatial_strides needs num_stages entries");
  if (o.frozen_stages() > o.num_stages())
    throw ConfigError(path + ": frozen_stages must be at most num_stages");
  if (o.se_style() != "half" && o.se_style() != "all")
    throw ConfigError(path + ": se_style must be 'half' or 'all'");
  if (o.se_ratio() && *o.se_ratio() <= 0)
    throw ConfigError(path + ": se_ratio must be None or positive");
  if (o.pretrained()) check_checkpoint_name(*o.pretrained(), path);

  base_channels_ = x3d_round_width(24, o.gamma_w());
  for (int64_t i = 0; i < o.num_stages(); ++i) {
    int64_t repeats = (std::vector<int64_t>{1, 2, 5, 3})[i];
    stage_blocks_.push_back(
        o.gamma_d() == 0 ? repeats : static_cast<int64_t>(std::ceil(o.gamma_d() * repeats)));
  }
  conv1_s_ = register_module("conv1_s", ConvModule(x3d_conv(o, o.in_channels(), base_channels_,
                                                            {1, 3, 3}, path + ".conv1_s")
                                                       .stride({1, 2, 2})
                                                       .padding({0, 1, 1})
                                                       .norm_cfg(Value())
                                                       .act_cfg(Value())));
  conv1_t_ = register_module("conv1_t", ConvModule(x3d_conv(o, base_channels_, base_channels_,
                                                            {5, 1, 1}, path + ".conv1_t")
                                                       .padding({2, 0, 0})
                                                       .groups(base_channels_)));
  int64_t layer_inplanes = base_channels_;
  for (int64_t i = 0; i < o.num_stages(); ++i) {
    int64_t inplanes = base_channels_ << i;
    auto planes = static_cast<int64_t>(static_cast<double>(inplanes) * o.gamma_b());
    std::string name = "layer" + std::to_string(i + 1);
    res_layers_.push_back(
        register_module(name, make_res_layer(layer_inplanes, inplanes, planes, stage_blocks_[i],
                                             o.spatial_strides()[i], path + "." + name)));
    layer_inplanes = inplanes;
  }
  int64_t last = base_channels_ << (o.num_stages() - 1);
  feat_dim_ = static_cast<int64_t>(static_cast<double>(last) * o.gamma_b());
  conv5_ = register_module("conv5", ConvModule(x3d_conv(o, last, feat_dim_, {1}, path + ".conv5")));
  init_weights();
  if (o.pretrained()) {
    auto report =
        checkpoint::load_state_dict(*this, checkpoint::load_checkpoint(*o.pretrained()).state_dict);
    if (!report.ok()) std::cerr << report.message() << "\n";
  }
}

torch::nn::Sequential X3DImpl::make_res_layer(int64_t layer_inplanes, int64_t inplanes,
                                              int64_t planes, int64_t blocks,
                                              int64_t spatial_stride, const std::string& path) {
  ConvModule downsample{nullptr};
  if (spatial_stride != 1 || layer_inplanes != inplanes)
    downsample = ConvModule(x3d_conv(options, layer_inplanes, inplanes, {1}, path + ".0.downsample")
                                .stride({1, spatial_stride, spatial_stride})
                                .act_cfg(Value()));
  torch::nn::Sequential layer;
  for (int64_t b = 0; b < blocks; ++b) {
    bool use_se = options.se_style() == "all" || b % 2 == 0;
    std::optional<double> se = use_se ? options.se_ratio() : std::nullopt;
    layer->push_back(BlockX3D(
        b == 0 ? layer_inplanes : inplanes, planes, inplanes, b == 0 ? spatial_stride : 1,
        b == 0 ? downsample : ConvModule(nullptr), se, options, path + "." + std::to_string(b)));
  }
  return layer;
}

void X3DImpl::init_weights() {
  for (auto& m : modules(/*include_self=*/false)) {
    if (m->as<torch::nn::Conv3d>())
      kaiming_init(*m);
    else if (is_batch_norm(*m))
      constant_init(*m, 1);
  }
  if (!options.zero_init_residual()) return;
  for (auto& m : modules(/*include_self=*/false))
    if (auto* block = m->as<BlockX3DImpl>()) constant_init(*block->conv3()->norm(), 0);
}

std::vector<torch::Tensor> X3DImpl::forward_features(const torch::Tensor& input) {
  if (input.dim() != 5 || input.size(1) != options.in_channels()) {
    std::ostringstream msg;
    msg << options.path()
        << ": X3D expects input [N, C, T, H, W] with C = in_channels = " << options.in_channels()
        << ", got " << input.sizes();
    throw std::invalid_argument(msg.str());
  }
  torch::Tensor x = conv1_t_(conv1_s_(input));
  for (auto& layer : res_layers_) x = layer->forward(x);
  return {conv5_(x)};
}

void X3DImpl::freeze_stages() {
  if (options.frozen_stages() >= 0) {
    freeze(*conv1_s_);
    freeze(*conv1_t_);
  }
  for (int64_t i = 1; i <= options.frozen_stages(); ++i) freeze(*res_layers_[i - 1]);
}

void X3DImpl::train(bool on) {
  torch::nn::Module::train(on);
  freeze_stages();
  if (on && options.norm_eval()) set_batch_norms_eval(*this);
}

namespace {
std::shared_ptr<Backbone> build_x3d(Args& args) {
  return std::make_shared<X3DImpl>(X3DOptions::from_config(args));
}
}  // namespace

TUBELET_REGISTER(BACKBONES, X3D, build_x3d);

}  // namespace tubelet
