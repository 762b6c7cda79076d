#include "tubelet/models/backbones/resnet_audio.h"

#include <torch/torch.h>

#include <iostream>

#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/fileio/model_cache.h"
#include "tubelet/models/freezing.h"
#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"
#include "tubelet/module_kinds.h"

namespace tubelet {

namespace {

constexpr int64_t kExpansion = 4;

Value type_cfg_resnet_audio(const char* type, bool requires_grad = false, bool inplace = false) {
  Dict d;
  d.set("type", Value(type));
  if (requires_grad) d.set("requires_grad", Value(true));
  if (inplace) d.set("inplace", Value(true));
  return Value(d);
}

// 1x1 (norm, ReLU), 3x3 (a ConvAudio when factorized; no norm, no activation), 1x1 (norm);
// the stride sits in the 3x3 conv.
class Bottleneck2dAudioImpl : public torch::nn::Module {
 public:
  Bottleneck2dAudioImpl(int64_t inplanes, int64_t planes, int64_t stride, int64_t dilation,
                        ConvModule downsample, bool factorize, const Value& norm_cfg,
                        const std::string& path) {
    conv1_ = register_module("conv1", ConvModule(ConvModuleOptions(inplanes, planes, {1})
                                                     .dilation({dilation})
                                                     .bias("false")
                                                     .norm_cfg(norm_cfg)
                                                     .path(path + ".conv1")));
    conv2_ = register_module(
        "conv2", ConvModule(ConvModuleOptions(planes, planes, {3})
                                .stride({stride})
                                .padding({dilation})
                                .dilation({dilation})
                                .bias("false")
                                .conv_cfg(type_cfg_resnet_audio(factorize ? "ConvAudio" : "Conv"))
                                .act_cfg(Value())
                                .path(path + ".conv2")));
    conv3_ = register_module("conv3", ConvModule(ConvModuleOptions(factorize ? 2 * planes : planes,
                                                                   planes * kExpansion, {1})
                                                     .bias("false")
                                                     .norm_cfg(norm_cfg)
                                                     .act_cfg(Value())
                                                     .path(path + ".conv3")));
    if (downsample) downsample_ = register_module("downsample", downsample);
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor out = conv3_(conv2_(conv1_(x)));
    // In place, as MMAction2's `out += identity; relu(inplace=True)`: no new activations.
    return out.add_(downsample_ ? downsample_(x) : x).relu_();
  }

  ConvModule conv3() const { return conv3_; }

 private:
  ConvModule conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr}, downsample_{nullptr};
};
TORCH_MODULE(Bottleneck2dAudio);

std::vector<int64_t> stage_blocks(int64_t depth, const std::string& path) {
  if (depth == 50) return {3, 4, 6, 3};
  if (depth == 101) return {3, 4, 23, 3};
  if (depth == 152) return {3, 8, 36, 3};
  throw ConfigError(path + ": invalid depth " + std::to_string(depth) +
                    " for resnet (ResNetAudio: 50, 101 or 152)");
}

// An int or a list of ints (torch's _pair for conv1_stride).
std::vector<int64_t> int_or_list(Args& args, const char* key, std::vector<int64_t> fallback) {
  const Value* v = args.find(key);
  if (!v) return fallback;
  if (v->is_int()) return {v->as_int()};
  auto items = ArgConverter<std::vector<int64_t>>::from(*v);
  if (!items || items->empty() || items->size() > 2)
    throw args.error(key, std::string("'") + key + "' must be an int or 2 ints");
  return *items;
}

// factorize: an int for every stage, or one entry per stage, each an int or one per block.
std::vector<std::vector<int64_t>> read_factorize(Args& args) {
  const Value* v = args.find("factorize");
  if (!v) return {{1}, {1}, {0}, {0}};
  if (v->is_int()) return std::vector<std::vector<int64_t>>(4, {v->as_int()});
  if (!v->is_list() && !v->is_tuple())
    throw args.error("factorize", "factorize must be an int or a sequence");
  std::vector<std::vector<int64_t>> out;
  for (const Value& entry : v->as_list()) {
    if (entry.is_int()) {
      out.push_back({entry.as_int()});
      continue;
    }
    auto items = ArgConverter<std::vector<int64_t>>::from(entry);
    if (!items) throw args.error("factorize", "each factorize entry must be an int or ints");
    out.push_back(*items);
  }
  return out;
}

}  // namespace

ResNetAudioOptions ResNetAudioOptions::from_config(Args& args) {
  ResNetAudioOptions o(args.required<int64_t>("depth"));
  o.pretrained(args.required<std::optional<std::string>>("pretrained"))
      .in_channels(args.get<int64_t>("in_channels", 1))
      .num_stages(args.get<int64_t>("num_stages", 4))
      .base_channels(args.get<int64_t>("base_channels", 32))
      .strides(args.get("strides", std::vector<int64_t>{1, 2, 2, 2}))
      .dilations(args.get("dilations", std::vector<int64_t>{1, 1, 1, 1}))
      .conv1_kernel(args.get<int64_t>("conv1_kernel", 9))
      .conv1_stride(int_or_list(args, "conv1_stride", {1}))
      .frozen_stages(args.get<int64_t>("frozen_stages", -1))
      .factorize(read_factorize(args))
      .norm_eval(args.get("norm_eval", false))
      .with_cp(args.get("with_cp", false))  // activation checkpointing only saves memory
      .conv_cfg(args.get("conv_cfg", type_cfg_resnet_audio("Conv")))
      .norm_cfg(args.get("norm_cfg", type_cfg_resnet_audio("BN2d", true)))
      .act_cfg(args.get("act_cfg", type_cfg_resnet_audio("ReLU", false, true)))
      .zero_init_residual(args.get("zero_init_residual", true))
      .path(args.path());
  return o;
}

ResNetAudioImpl::ResNetAudioImpl(const ResNetAudioOptions& o) : options(o) {
  std::vector<int64_t> blocks = stage_blocks(o.depth(), o.path());
  const int64_t stages = o.num_stages();
  if (stages < 1 || stages > 4) throw ConfigError(o.path() + ": num_stages must be 1..4");
  if (static_cast<int64_t>(o.strides().size()) < stages ||
      static_cast<int64_t>(o.dilations().size()) < stages ||
      static_cast<int64_t>(o.factorize().size()) < stages)
    throw ConfigError(o.path() + ": strides, dilations and factorize need num_stages entries");
  if (o.pretrained()) check_checkpoint_name(*o.pretrained(), o.path());
  Dict stem_conv;
  stem_conv.set("type", Value("ConvAudio"));
  stem_conv.set("op", Value("sum"));
  conv1_ = register_module(
      "conv1", ConvModule(ConvModuleOptions(o.in_channels(), o.base_channels(), {o.conv1_kernel()})
                              .stride(o.conv1_stride())
                              .bias("false")
                              .conv_cfg(Value(stem_conv))
                              .norm_cfg(o.norm_cfg())
                              .act_cfg(o.act_cfg())
                              .path(o.path() + ".conv1")));
  inplanes_ = o.base_channels();
  for (int64_t i = 0; i < stages; ++i) {
    int64_t planes = o.base_channels() << i;
    std::string name = "layer" + std::to_string(i + 1);
    res_layers_.push_back(
        register_module(name, make_res_layer(planes, blocks[i], o.strides()[i], o.dilations()[i],
                                             o.factorize()[i], o.path() + "." + name)));
    inplanes_ = planes * kExpansion;
  }
  feat_dim_ = kExpansion * (o.base_channels() << (stages - 1));
  init_weights();
}

torch::nn::Sequential ResNetAudioImpl::make_res_layer(int64_t planes, int64_t blocks,
                                                      int64_t stride, int64_t dilation,
                                                      const std::vector<int64_t>& factorize,
                                                      const std::string& path) {
  if (factorize.size() != 1 && static_cast<int64_t>(factorize.size()) != blocks)
    throw ConfigError(path + ": factorize lists " + std::to_string(factorize.size()) +
                      " values for a stage of " + std::to_string(blocks) + " blocks");
  ConvModule downsample{nullptr};
  if (stride != 1 || inplanes_ != planes * kExpansion)
    downsample = ConvModule(ConvModuleOptions(inplanes_, planes * kExpansion, {1})
                                .stride({stride})
                                .bias("false")
                                .norm_cfg(options.norm_cfg())
                                .act_cfg(Value())
                                .path(path + ".0.downsample"));
  torch::nn::Sequential layer;
  int64_t inplanes = inplanes_;
  for (int64_t b = 0; b < blocks; ++b) {
    bool factorized = factorize[factorize.size() == 1 ? 0 : b] == 1;
    layer->push_back(Bottleneck2dAudio(inplanes, planes, b == 0 ? stride : 1, dilation,
                                       b == 0 ? downsample : ConvModule(nullptr), factorized,
                                       options.norm_cfg(), path + "." + std::to_string(b)));
    inplanes = planes * kExpansion;
  }
  return layer;
}

void ResNetAudioImpl::init_weights() {
  if (options.pretrained()) {
    auto report = checkpoint::load_state_dict(
        *this, checkpoint::load_checkpoint(*options.pretrained()).state_dict);
    if (!report.ok()) std::cerr << report.message() << "\n";
    return;
  }
  for (auto& m : modules(/*include_self=*/false)) {
    if (m->as<torch::nn::Conv2d>())
      kaiming_init(*m);
    else if (is_batch_norm(*m))
      constant_init(*m, 1);
  }
  if (!options.zero_init_residual()) return;
  for (auto& m : modules(/*include_self=*/false))
    if (auto* block = m->as<Bottleneck2dAudioImpl>()) constant_init(*block->conv3()->norm(), 0);
}

std::vector<torch::Tensor> ResNetAudioImpl::forward_features(const torch::Tensor& input) {
  torch::Tensor x = conv1_(input);
  for (auto& layer : res_layers_) x = layer->forward(x);
  return {x};
}

void ResNetAudioImpl::freeze_stages() {
  if (options.frozen_stages() >= 0) {
    // MMAction2 puts only the stem's own norm in eval mode (ConvAudio's inner norms keep
    // training), while every stem parameter stops learning.
    if (conv1_->with_norm()) conv1_->norm()->eval();
    for (auto& p : conv1_->parameters()) p.set_requires_grad(false);
  }
  for (int64_t i = 1; i <= options.frozen_stages() && i <= static_cast<int64_t>(res_layers_.size());
       ++i)
    freeze(*res_layers_[i - 1]);
}

void ResNetAudioImpl::train(bool on) {
  torch::nn::Module::train(on);
  freeze_stages();
  if (on && options.norm_eval()) set_batch_norms_eval(*this);
}

namespace {
std::shared_ptr<Backbone> build_resnet_audio(Args& args) {
  return std::make_shared<ResNetAudioImpl>(ResNetAudioOptions::from_config(args));
}
}  // namespace

TUBELET_REGISTER(BACKBONES, ResNetAudio, build_resnet_audio);

}  // namespace tubelet
