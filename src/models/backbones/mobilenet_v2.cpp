#include "tubelet/models/backbones/mobilenet_v2.h"
#include "tubelet/models/freezing.h"
#include "tubelet/module_kinds.h"

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include <algorithm>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/fileio/model_cache.h"
#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"

namespace tubelet {

namespace {

Value type_cfg_mobilenet_v2(const char* name, const char* flag = nullptr) {
  Dict d;
  d.set("type", Value(name));
  if (flag) d.set(flag, Value(true));
  return Value(d);
}

// expand_ratio, channels, blocks, stride of each stage.
struct StageSetting {
  int64_t expand_ratio, channels, blocks, stride;
};
constexpr StageSetting kArch[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

ConvModuleOptions mbv2_conv(const MobileNetV2Options& o, int64_t in, int64_t out, int64_t kernel,
                            const std::string& path) {
  return ConvModuleOptions(in, out, {kernel})
      .conv_cfg(o.conv_cfg())
      .norm_cfg(o.norm_cfg())
      .act_cfg(o.act_cfg())
      .path(path);
}

}  // namespace

int64_t make_divisible(double value, int64_t divisor) {
  int64_t rounded = std::max(
      divisor, static_cast<int64_t>(value + static_cast<double>(divisor) / 2) / divisor * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

MobileNetV2Options::MobileNetV2Options()
    : conv_cfg_(type_cfg_mobilenet_v2("Conv")),
      norm_cfg_(type_cfg_mobilenet_v2("BN2d", "requires_grad")),
      act_cfg_(type_cfg_mobilenet_v2("ReLU6", "inplace")) {}

MobileNetV2Options MobileNetV2Options::from_config(Args& args) {
  MobileNetV2Options o;
  o.pretrained(args.get<std::optional<std::string>>("pretrained", std::nullopt))
      .widen_factor(args.get("widen_factor", 1.0))
      .out_indices(args.get("out_indices", std::vector<int64_t>{7}))
      .frozen_stages(args.get<int64_t>("frozen_stages", -1))
      .conv_cfg(args.get("conv_cfg", o.conv_cfg()))
      .norm_cfg(args.get("norm_cfg", o.norm_cfg()))
      .act_cfg(args.get("act_cfg", o.act_cfg()))
      .norm_eval(args.get("norm_eval", false))
      // Accepted; activation checkpointing only saves memory.
      .with_cp(args.get("with_cp", false))
      .path(args.path());
  return o;
}

InvertedResidualImpl::InvertedResidualImpl(int64_t in_channels, int64_t out_channels,
                                           int64_t stride, int64_t expand_ratio,
                                           const MobileNetV2Options& o, const std::string& path) {
  if (stride != 1 && stride != 2)
    throw ConfigError(path + ": stride must be 1 or 2, got " + std::to_string(stride));
  use_res_connect_ = stride == 1 && in_channels == out_channels;
  int64_t hidden = in_channels * expand_ratio;
  int64_t index = 0;
  auto next = [&] { return path + ".conv." + std::to_string(index++); };
  if (expand_ratio != 1) conv_->push_back(ConvModule(mbv2_conv(o, in_channels, hidden, 1, next())));
  conv_->push_back(ConvModule(
      mbv2_conv(o, hidden, hidden, 3, next()).stride({stride}).padding({1}).groups(hidden)));
  conv_->push_back(ConvModule(mbv2_conv(o, hidden, out_channels, 1, next()).act_cfg(Value())));
  register_module("conv", conv_);
}

torch::Tensor InvertedResidualImpl::forward(const torch::Tensor& x) {
  torch::Tensor out = conv_->forward(x);
  return use_res_connect_ ? x + out : out;
}

void InvertedResidualImpl::replace_first(torch::nn::AnyModule first) {
  torch::nn::Sequential replaced;
  replaced->push_back(std::move(first));
  for (auto it = conv_->begin() + 1; it != conv_->end(); ++it) replaced->push_back(*it);
  conv_ = replace_module("conv", replaced);
}

MobileNetV2Impl::MobileNetV2Impl(const MobileNetV2Options& o) : options(o) {
  const std::string& path = o.path();
  for (int64_t i : o.out_indices())
    if (i < 0 || i > 7)
      throw ConfigError(path + ": the item in out_indices must in range(0, 8). But received " +
                        std::to_string(i));
  if (o.frozen_stages() < -1 || o.frozen_stages() > 8)
    throw ConfigError(path + ": frozen_stages must be in range(-1, 9). But received " +
                      std::to_string(o.frozen_stages()));
  if (o.pretrained()) check_checkpoint_name(*o.pretrained(), path);

  in_channels_ = make_divisible(32 * o.widen_factor(), 8);
  conv1_ = register_module(
      "conv1",
      ConvModule(mbv2_conv(o, 3, in_channels_, 3, path + ".conv1").stride({2}).padding({1})));
  for (size_t i = 0; i < std::size(kArch); ++i) {
    const StageSetting& s = kArch[i];
    std::string name = "layer" + std::to_string(i + 1);
    layers_.push_back(register_module(
        name, make_layer(make_divisible(static_cast<double>(s.channels) * o.widen_factor(), 8),
                         s.blocks, s.stride, s.expand_ratio, path + "." + name)));
    stages_.push_back(layers_.back().ptr());
  }
  out_channel_ = o.widen_factor() > 1.0 ? static_cast<int64_t>(1280 * o.widen_factor()) : 1280;
  conv2_ = register_module(
      "conv2", ConvModule(mbv2_conv(o, in_channels_, out_channel_, 1, path + ".conv2")));
  stages_.push_back(conv2_.ptr());
  init_weights();
  if (o.pretrained()) {
    auto report =
        checkpoint::load_state_dict(*this, checkpoint::load_checkpoint(*o.pretrained()).state_dict);
    if (!report.ok()) std::cerr << report.message() << "\n";
  }
}

torch::nn::Sequential MobileNetV2Impl::make_layer(int64_t out_channels, int64_t num_blocks,
                                                  int64_t stride, int64_t expand_ratio,
                                                  const std::string& path) {
  torch::nn::Sequential layer;
  for (int64_t b = 0; b < num_blocks; ++b) {
    layer->push_back(InvertedResidual(in_channels_, out_channels, b == 0 ? stride : 1, expand_ratio,
                                      options, path + "." + std::to_string(b)));
    in_channels_ = out_channels;
  }
  return layer;
}

void MobileNetV2Impl::init_weights() {
  for (auto& m : modules(/*include_self=*/false)) {
    if (m->as<torch::nn::Conv2d>())
      kaiming_init(*m);
    else if (is_batch_norm(*m) || m->as<torch::nn::GroupNorm>())
      constant_init(*m, 1);
  }
}

std::vector<torch::Tensor> MobileNetV2Impl::forward_features(const torch::Tensor& input) {
  if (input.dim() != 4 || input.size(1) != 3) {
    std::ostringstream msg;
    msg << options.path()
        << ": MobileNetV2 expects input [N, 3, H, W] (frames stacked along N), got "
        << input.sizes();
    throw std::invalid_argument(msg.str());
  }
  torch::Tensor x = conv1_(input);
  std::vector<torch::Tensor> outs;
  const auto& wanted = options.out_indices();
  for (int64_t i = 0; i < 8; ++i) {
    x = i < 7 ? layers_[i]->forward(x) : conv2_(x);
    if (std::find(wanted.begin(), wanted.end(), i) != wanted.end()) outs.push_back(x);
  }
  return outs;
}

void MobileNetV2Impl::freeze_stages() {
  if (options.frozen_stages() >= 0) freeze(*conv1_);
  for (int64_t i = 1; i <= options.frozen_stages(); ++i) freeze(*stages_[i - 1]);
}

void MobileNetV2Impl::train(bool on) {
  torch::nn::Module::train(on);
  freeze_stages();
  if (on && options.norm_eval()) set_batch_norms_eval(*this);
}

namespace {
std::shared_ptr<Backbone> build_mobilenet_v2(Args& args) {
  return std::make_shared<MobileNetV2Impl>(MobileNetV2Options::from_config(args));
}
}  // namespace

TUBELET_REGISTER(BACKBONES, MobileNetV2, build_mobilenet_v2);

}  // namespace tubelet
