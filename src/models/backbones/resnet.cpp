#include "tubelet/models/backbones/resnet.h"
#include "tubelet/models/freezing.h"
#include "tubelet/module_kinds.h"

#include <iostream>
#include <map>
#include <set>

#include "tubelet/checkpoint/checkpoint.h"

#include "tubelet/fileio/model_cache.h"
#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"

namespace tubelet {

namespace {

// Two 3x3 ConvModules; expansion 1.
class BasicBlockImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 1;
  BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride, int64_t dilation,
                 ConvModule downsample, const ResNetOptions& o, const std::string& path) {
    conv1_ = register_module("conv1", ConvModule(block_conv(o, inplanes, planes, 3, path + ".conv1")
                                                     .stride({stride})
                                                     .padding({dilation})
                                                     .dilation({dilation})));
    conv2_ = register_module(
        "conv2",
        ConvModule(
            block_conv(o, planes, planes, 3, path + ".conv2").padding({1}).act_cfg(Value())));
    if (downsample) downsample_ = register_module("downsample", downsample);
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor out = conv2_(conv1_(x));
    // In place, as MMAction2's `out += identity; relu(inplace=True)`: no new activations.
    return out.add_(downsample_ ? downsample_(x) : x).relu_();
  }

  static ConvModuleOptions block_conv(const ResNetOptions& o, int64_t in, int64_t out,
                                      int64_t kernel, const std::string& path) {
    return ConvModuleOptions(in, out, {kernel})
        .bias("false")
        .conv_cfg(o.conv_cfg())
        .norm_cfg(o.norm_cfg())
        .act_cfg(o.act_cfg())
        .path(path);
  }

 private:
  ConvModule conv1_{nullptr}, conv2_{nullptr}, downsample_{nullptr};
};
TORCH_MODULE(BasicBlock);

// 1x1, 3x3, 1x1 ConvModules; expansion 4. The stride sits in the 3x3 conv ("pytorch")
// or in the first 1x1 ("caffe").
class BottleneckImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 4;
  BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride, int64_t dilation,
                 ConvModule downsample, const ResNetOptions& o, const std::string& path) {
    bool caffe = o.style() == "caffe";
    conv1_ = register_module(
        "conv1", ConvModule(BasicBlockImpl::block_conv(o, inplanes, planes, 1, path + ".conv1")
                                .stride({caffe ? stride : 1})));
    conv2_ = register_module(
        "conv2", ConvModule(BasicBlockImpl::block_conv(o, planes, planes, 3, path + ".conv2")
                                .stride({caffe ? 1 : stride})
                                .padding({dilation})
                                .dilation({dilation})));
    conv3_ = register_module(
        "conv3",
        ConvModule(BasicBlockImpl::block_conv(o, planes, planes * kExpansion, 1, path + ".conv3")
                       .act_cfg(Value())));
    if (downsample) downsample_ = register_module("downsample", downsample);
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor out = conv3_(conv2_(conv1_(x)));
    // In place, as MMAction2's `out += identity; relu(inplace=True)`: no new activations.
    return out.add_(downsample_ ? downsample_(x) : x).relu_();
  }

 private:
  ConvModule conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr}, downsample_{nullptr};
};
TORCH_MODULE(Bottleneck);

struct Arch {
  bool bottleneck;
  std::vector<int64_t> stage_blocks;
};

const Arch& arch_of(int64_t depth, const std::string& path) {
  static const std::map<int64_t, Arch> settings = {{18, {false, {2, 2, 2, 2}}},
                                                   {34, {false, {3, 4, 6, 3}}},
                                                   {50, {true, {3, 4, 6, 3}}},
                                                   {101, {true, {3, 4, 23, 3}}},
                                                   {152, {true, {3, 8, 36, 3}}}};
  auto it = settings.find(depth);
  if (it == settings.end())
    throw ConfigError(path + ": invalid depth " + std::to_string(depth) +
                      " for resnet (18, 34, 50, 101 or 152)");
  return it->second;
}

}  // namespace

Value ResNetOptions::type_cfg(const char* name, bool requires_grad) {
  Dict d;
  d.set("type", Value(name));
  if (requires_grad) d.set("requires_grad", Value(true));
  return Value(d);
}

ResNetOptions ResNetOptions::from_config(Args& args) {
  ResNetOptions o(args.required<int64_t>("depth"));
  o.pretrained(args.get<std::optional<std::string>>("pretrained", std::nullopt))
      .torchvision_pretrain(args.get("torchvision_pretrain", true))
      .in_channels(args.get<int64_t>("in_channels", 3))
      .num_stages(args.get<int64_t>("num_stages", 4))
      .out_indices(args.get("out_indices", std::vector<int64_t>{3}))
      .strides(args.get("strides", std::vector<int64_t>{1, 2, 2, 2}))
      .dilations(args.get("dilations", std::vector<int64_t>{1, 1, 1, 1}))
      .style(args.get("style", "pytorch"))
      .frozen_stages(args.get<int64_t>("frozen_stages", -1))
      .conv_cfg(args.get("conv_cfg", type_cfg("Conv")))
      .norm_cfg(args.get("norm_cfg", type_cfg("BN2d", true)))
      .act_cfg(args.get("act_cfg", type_cfg("ReLU")))
      .norm_eval(args.get("norm_eval", false))
      .partial_bn(args.get("partial_bn", false))
      .with_cp(
          args.get("with_cp", false))  // accepted; activation checkpointing is not needed on CPU
      .path(args.path());
  return o;
}

ResNetImpl::ResNetImpl(const ResNetOptions& o) : options(o) {
  const Arch& arch = arch_of(o.depth(), o.path());
  int64_t stages = o.num_stages();
  if (stages < 1 || stages > 4) throw ConfigError(o.path() + ": num_stages must be 1..4");
  if (static_cast<int64_t>(o.strides().size()) != stages ||
      static_cast<int64_t>(o.dilations().size()) != stages)
    throw ConfigError(o.path() + ": strides and dilations need num_stages entries each");
  for (int64_t i : o.out_indices())
    if (i < 0 || i >= stages)
      throw ConfigError(o.path() + ": out_indices must be below num_stages");
  if (o.style() != "pytorch" && o.style() != "caffe")
    throw ConfigError(o.path() + ": style must be 'pytorch' or 'caffe'");
  if (o.pretrained()) check_checkpoint_name(*o.pretrained(), o.path());

  conv1_ = register_module("conv1", ConvModule(ConvModuleOptions(o.in_channels(), 64, {7})
                                                   .stride({2})
                                                   .padding({3})
                                                   .bias("false")
                                                   .conv_cfg(o.conv_cfg())
                                                   .norm_cfg(o.norm_cfg())
                                                   .act_cfg(o.act_cfg())
                                                   .path(o.path() + ".conv1")));
  maxpool_ = register_module(
      "maxpool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));
  int64_t expansion = arch.bottleneck ? BottleneckImpl::kExpansion : BasicBlockImpl::kExpansion;
  for (int64_t i = 0; i < stages; ++i) {
    int64_t planes = 64 << i;
    std::string name = "layer" + std::to_string(i + 1);
    res_layers_.push_back(
        register_module(name, make_res_layer(planes, arch.stage_blocks[i], o.strides()[i],
                                             o.dilations()[i], o.path() + "." + name)));
    inplanes_ = planes * expansion;
  }
  feat_dim_ = expansion * (64 << (stages - 1));
  init_weights();
  if (o.pretrained()) load_pretrained(*o.pretrained());
}

void ResNetImpl::load_pretrained(const std::string& path) {
  if (!options.torchvision_pretrain()) {
    auto report = checkpoint::load_state_dict(*this, checkpoint::load_checkpoint(path).state_dict);
    if (!report.ok()) std::cerr << report.message() << "\n";
    return;
  }
  // torchvision's names: layerX.Y.convN / bnN and downsample.0 / .1 instead of ConvModule's
  // convN.conv / convN.bn and downsample.conv / .bn. Only tensors of the same shape are taken.
  checkpoint::LoadOptions keep_keys;
  keep_keys.revise_keys.clear();
  checkpoint::StateDict tv = checkpoint::load_checkpoint(path, keep_keys).state_dict;
  std::set<std::string> loaded;
  torch::NoGradGuard no_grad;
  auto copy = [&](const std::string& key, torch::Tensor& target, bool required) {
    const torch::Tensor* source = tv.find(key);
    if (!source) {
      if (required) throw ConfigError(options.path() + ": '" + key + "' is missing from " + path);
      return;
    }
    if (source->sizes() != target.sizes()) return;
    target.copy_(*source);
    loaded.insert(key);
  };
  for (const auto& item : named_modules("", /*include_self=*/false)) {
    auto* conv_module = item.value()->as<ConvModuleImpl>();
    if (!conv_module) continue;
    const std::string& name = item.key();
    bool downsample = name.find("downsample") != std::string::npos;
    std::string conv_name = downsample ? name + ".0" : name;
    std::string bn_name = downsample ? name + ".1" : name;
    if (!downsample)  // Python's name.replace('conv', 'bn')
      for (size_t p; (p = bn_name.find("conv")) != std::string::npos;) bn_name.replace(p, 4, "bn");
    for (auto& param : conv_module->conv()->named_parameters(false))
      copy(conv_name + "." + param.key(), param.value(), param.key() == "weight");
    if (!conv_module->with_norm()) continue;
    for (auto& param : conv_module->norm()->named_parameters(false))
      copy(bn_name + "." + param.key(), param.value(), true);
    for (auto& buffer : conv_module->norm()->named_buffers(false))
      copy(bn_name + "." + buffer.key(), buffer.value(), false);
  }
  std::string remaining;
  for (const auto& item : tv)
    if (!loaded.count(item.key())) remaining += (remaining.empty() ? "" : ", ") + item.key();
  if (!remaining.empty())
    std::cerr << "These parameters in pretrained checkpoint are not loaded: {" << remaining
              << "}\n";
}

torch::nn::Sequential ResNetImpl::make_res_layer(int64_t planes, int64_t blocks, int64_t stride,
                                                 int64_t dilation, const std::string& path) {
  bool bottleneck = arch_of(options.depth(), options.path()).bottleneck;
  int64_t expansion = bottleneck ? BottleneckImpl::kExpansion : BasicBlockImpl::kExpansion;
  ConvModule downsample{nullptr};
  if (stride != 1 || inplanes_ != planes * expansion)
    downsample = ConvModule(BasicBlockImpl::block_conv(options, inplanes_, planes * expansion, 1,
                                                       path + ".0.downsample")
                                .stride({stride})
                                .act_cfg(Value()));
  torch::nn::Sequential layer;
  int64_t inplanes = inplanes_;
  for (int64_t b = 0; b < blocks; ++b) {
    std::string block_path = path + "." + std::to_string(b);
    ConvModule ds = b == 0 ? downsample : ConvModule(nullptr);
    int64_t s = b == 0 ? stride : 1;
    if (bottleneck)
      layer->push_back(Bottleneck(inplanes, planes, s, dilation, ds, options, block_path));
    else
      layer->push_back(BasicBlock(inplanes, planes, s, dilation, ds, options, block_path));
    inplanes = planes * expansion;
  }
  return layer;
}

void ResNetImpl::init_weights() {
  // pretrained=None: kaiming for convs, 1/0 for batch norms, as MMAction2's ResNet does.
  for (auto& m : modules(/*include_self=*/false)) {
    if (m->as<torch::nn::Conv2d>())
      kaiming_init(*m);
    else if (m->as<torch::nn::BatchNorm2d>())
      constant_init(*m, 1);
  }
}

std::vector<torch::Tensor> ResNetImpl::forward_features(const torch::Tensor& input) {
  torch::Tensor x = maxpool_(conv1_(input));
  std::vector<torch::Tensor> outs;
  const auto& wanted = options.out_indices();
  for (size_t i = 0; i < res_layers_.size(); ++i) {
    x = res_layers_[i]->forward(x);
    if (std::find(wanted.begin(), wanted.end(), static_cast<int64_t>(i)) != wanted.end())
      outs.push_back(x);
  }
  return outs;
}

void ResNetImpl::freeze_stages() {
  if (options.frozen_stages() < 0) return;
  freeze(*conv1_);
  for (int64_t i = 1; i <= options.frozen_stages() && i <= static_cast<int64_t>(res_layers_.size());
       ++i)
    freeze(*res_layers_[i - 1]);
}

void ResNetImpl::train(bool on) {
  torch::nn::Module::train(on);
  freeze_stages();
  if (!on) return;
  if (options.norm_eval()) set_batch_norms_eval(*this);
  if (options.partial_bn()) {
    // Every batch norm after the first is frozen (TSN's partial BN).
    int count = 0;
    for (auto& m : modules()) {
      if (!m->as<torch::nn::BatchNorm2d>() || ++count < 2) continue;
      m->eval();
      for (auto& p : m->parameters(/*recurse=*/false)) p.set_requires_grad(false);
    }
  }
}

namespace {
std::shared_ptr<Backbone> build_resnet(Args& args) {
  return std::make_shared<ResNetImpl>(ResNetOptions::from_config(args));
}
}  // namespace

TUBELET_REGISTER(BACKBONES, ResNet, build_resnet);

}  // namespace tubelet
