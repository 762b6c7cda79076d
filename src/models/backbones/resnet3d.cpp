#include "tubelet/models/backbones/resnet3d.h"

#include <map>

#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"

namespace tubelet {

namespace {

struct BlockSpec {
  int64_t inplanes, planes, spatial_stride, temporal_stride, dilation;
  bool inflate;
};

ConvModuleOptions conv3d(const ResNet3dOptions& o, int64_t in, int64_t out, IntOrTuple kernel,
                         IntOrTuple stride, IntOrTuple padding, const std::string& path) {
  return ConvModuleOptions(in, out, std::move(kernel))
      .stride(std::move(stride))
      .padding(std::move(padding))
      .bias("false")
      .conv_cfg(o.conv_cfg())
      .norm_cfg(o.norm_cfg())
      .act_cfg(o.act_cfg())
      .path(path);
}

// A residual block: its ConvModules in order, the last without activation.
class Block3dImpl : public torch::nn::Module {
 public:
  Block3dImpl(std::vector<ConvModule> convs, ConvModule downsample, torch::nn::AnyModule relu)
      : convs_(std::move(convs)), relu_(std::move(relu)) {
    for (size_t i = 0; i < convs_.size(); ++i)
      register_module("conv" + std::to_string(i + 1), convs_[i]);
    if (downsample) downsample_ = register_module("downsample", downsample);
    register_module("relu", relu_.ptr());
  }
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor out = x;
    for (auto& conv : convs_) out = conv(out);
    return relu_.forward(out + (downsample_ ? downsample_(x) : x));
  }
  std::shared_ptr<ConvModuleImpl> last_conv() const { return convs_.back().ptr(); }

 private:
  std::vector<ConvModule> convs_;
  ConvModule downsample_{nullptr};
  torch::nn::AnyModule relu_;  // the block's act_cfg, as MMAction2's 3D blocks build it
};
TORCH_MODULE(Block3d);

// BasicBlock3d: two 3x3x3 convs (1x3x3 when not inflated).
std::vector<ConvModule> basic_convs(const ResNet3dOptions& o, const BlockSpec& b,
                                    const std::string& path) {
  int64_t kt = b.inflate ? 3 : 1, pt = b.inflate ? 1 : 0, d = b.dilation;
  ConvModule conv1(conv3d(o, b.inplanes, b.planes, {kt, 3, 3},
                          {b.temporal_stride, b.spatial_stride, b.spatial_stride}, {pt, d, d},
                          path + ".conv1")
                       .dilation({1, d, d}));
  ConvModule conv2(conv3d(o, b.planes, b.planes, {kt, 3, 3}, {1, 1, 1}, {pt, 1, 1}, path + ".conv2")
                       .act_cfg(Value()));
  return {conv1, conv2};
}

// Bottleneck3d: 1x1x1 (3x1x1 inflated), 1x3x3 (3x3x3 with inflate_style 3x3x3), 1x1x1.
std::vector<ConvModule> bottleneck_convs(const ResNet3dOptions& o, const BlockSpec& b,
                                         const std::string& path) {
  bool pytorch = o.style() == "pytorch";
  int64_t s1 = pytorch ? 1 : b.spatial_stride, t1 = pytorch ? 1 : b.temporal_stride;
  int64_t s2 = pytorch ? b.spatial_stride : 1, t2 = pytorch ? b.temporal_stride : 1;
  bool t331 = b.inflate && o.inflate_style() == "3x1x1";
  bool t333 = b.inflate && o.inflate_style() == "3x3x3";
  int64_t d = b.dilation;
  ConvModule conv1(conv3d(o, b.inplanes, b.planes, {t331 ? 3 : 1, 1, 1}, {t1, s1, s1},
                          {t331 ? 1 : 0, 0, 0}, path + ".conv1"));
  ConvModule conv2(conv3d(o, b.planes, b.planes, {t333 ? 3 : 1, 3, 3}, {t2, s2, s2},
                          {t333 ? 1 : 0, d, d}, path + ".conv2")
                       .dilation({1, d, d}));
  ConvModule conv3(
      conv3d(o, b.planes, b.planes * 4, {1}, {1}, {0}, path + ".conv3").act_cfg(Value()));
  return {conv1, conv2, conv3};
}

Value type_cfg(const char* type, bool requires_grad = false, bool inplace = false) {
  Dict d;
  d.set("type", Value(type));
  if (requires_grad) d.set("requires_grad", Value(true));
  if (inplace) d.set("inplace", Value(true));
  return Value(d);
}

// An int for every stage/block, or a sequence per stage (each an int or one per block).
std::vector<std::vector<int64_t>> read_per_stage(Args& args, const char* key, int64_t stages,
                                                 int64_t fallback) {
  const Value* v = args.find(key);
  std::vector<std::vector<int64_t>> out(static_cast<size_t>(stages),
                                        std::vector<int64_t>{fallback});
  if (!v) return out;
  if (v->is_int())
    return std::vector<std::vector<int64_t>>(static_cast<size_t>(stages), {v->as_int()});
  if (!v->is_sequence() || static_cast<int64_t>(v->as_list().size()) != stages)
    throw args.error(key, std::string("'") + key + "' must be an int or one entry per stage");
  for (int64_t i = 0; i < stages; ++i) {
    const Value& s = v->as_list()[static_cast<size_t>(i)];
    auto per_block = ArgConverter<std::vector<int64_t>>::from(s);
    if (s.is_int())
      out[static_cast<size_t>(i)] = {s.as_int()};
    else if (per_block)
      out[static_cast<size_t>(i)] = *per_block;
    else
      throw args.error(key, std::string("'") + key + "' entries must be ints or lists of ints");
  }
  return out;
}

const std::map<int64_t, std::pair<bool, std::vector<int64_t>>>& arch_settings() {
  static const std::map<int64_t, std::pair<bool, std::vector<int64_t>>> s = {
      {18, {false, {2, 2, 2, 2}}},
      {34, {false, {3, 4, 6, 3}}},
      {50, {true, {3, 4, 6, 3}}},
      {101, {true, {3, 4, 23, 3}}},
      {152, {true, {3, 8, 36, 3}}}};
  return s;
}

}  // namespace

ResNet3dOptions ResNet3dOptions::from_config(Args& args) {
  ResNet3dOptions o(args.required<int64_t>("depth"));
  auto pretrained = args.get<std::optional<std::string>>("pretrained", std::nullopt);
  if (pretrained)
    throw args.error("pretrained", "loading pretrained weights is not supported yet; use None");
  args.get("pretrained2d", true);  // only matters with pretrained weights
  o.stage_blocks(args.get<std::optional<std::vector<int64_t>>>("stage_blocks", std::nullopt))
      .in_channels(args.get<int64_t>("in_channels", 3))
      .num_stages(args.get<int64_t>("num_stages", 4))
      .base_channels(args.get<int64_t>("base_channels", 64))
      .out_indices(args.get("out_indices", std::vector<int64_t>{3}))
      .spatial_strides(args.get("spatial_strides", std::vector<int64_t>{1, 2, 2, 2}))
      .temporal_strides(args.get("temporal_strides", std::vector<int64_t>{1, 1, 1, 1}))
      .dilations(args.get("dilations", std::vector<int64_t>{1, 1, 1, 1}))
      .conv1_kernel(args.get("conv1_kernel", std::vector<int64_t>{3, 7, 7}))
      .conv1_stride_s(args.get<int64_t>("conv1_stride_s", 2))
      .conv1_stride_t(args.get<int64_t>("conv1_stride_t", 1))
      .pool1_stride_s(args.get<int64_t>("pool1_stride_s", 2))
      .pool1_stride_t(args.get<int64_t>("pool1_stride_t", 1))
      .with_pool1(args.get("with_pool1", true))
      .with_pool2(args.get("with_pool2", true))
      .style(args.get("style", "pytorch"))
      .frozen_stages(args.get<int64_t>("frozen_stages", -1))
      .inflate(read_per_stage(args, "inflate", o.num_stages(), 1))
      .inflate_style(args.get("inflate_style", "3x1x1"))
      .conv_cfg(args.get("conv_cfg", type_cfg("Conv3d")))
      .norm_cfg(args.get("norm_cfg", type_cfg("BN3d", true)))
      .act_cfg(args.get("act_cfg", type_cfg("ReLU", false, true)))
      .norm_eval(args.get("norm_eval", false))
      .zero_init_residual(args.get("zero_init_residual", true))
      .path(args.path());
  args.get("with_cp", false);  // activation checkpointing: a memory saving, not needed here
  for (const auto& stage : read_per_stage(args, "non_local", o.num_stages(), 0))
    for (int64_t flag : stage)
      if (flag) throw args.error("non_local", "non-local blocks are not supported yet");
  if (!args.get("non_local_cfg", Dict()).empty())
    throw args.error("non_local_cfg", "non-local blocks are not supported yet");
  return o;
}

ResNet3dImpl::ResNet3dImpl(const ResNet3dOptions& o) : options(o) {
  auto arch = arch_settings().find(o.depth());
  if (arch == arch_settings().end())
    throw ConfigError(o.path() + ": invalid depth " + std::to_string(o.depth()) + " for resnet");
  bottleneck_ = arch->second.first;
  int64_t stages = o.num_stages();
  if (stages < 1 || stages > 4) throw ConfigError(o.path() + ": num_stages must be 1..4");
  for (const auto* v : {&o.spatial_strides(), &o.temporal_strides(), &o.dilations()})
    if (static_cast<int64_t>(v->size()) != stages)
      throw ConfigError(o.path() +
                        ": spatial_strides, temporal_strides and dilations need "
                        "num_stages entries each");
  for (int64_t i : o.out_indices())
    if (i < 0 || i >= stages)
      throw ConfigError(o.path() + ": out_indices must be below num_stages");
  if (o.inflate_style() != "3x1x1" && o.inflate_style() != "3x3x3")
    throw ConfigError(o.path() + ": inflate_style must be '3x1x1' or '3x3x3'");
  if (o.conv1_kernel().size() != 3) throw ConfigError(o.path() + ": conv1_kernel needs 3 ints");
  std::vector<int64_t> blocks = o.stage_blocks().value_or(
      std::vector<int64_t>(arch->second.second.begin(), arch->second.second.begin() + stages));
  if (static_cast<int64_t>(blocks.size()) != stages)
    throw ConfigError(o.path() + ": stage_blocks needs num_stages entries");

  const auto& k = o.conv1_kernel();
  conv1_ = register_module(
      "conv1",
      ConvModule(conv3d(o, o.in_channels(), o.base_channels(), k,
                        {o.conv1_stride_t(), o.conv1_stride_s(), o.conv1_stride_s()},
                        {(k[0] - 1) / 2, (k[1] - 1) / 2, (k[2] - 1) / 2}, o.path() + ".conv1")));
  maxpool_ = register_module(
      "maxpool",
      torch::nn::MaxPool3d(torch::nn::MaxPool3dOptions({1, 3, 3})
                               .stride({o.pool1_stride_t(), o.pool1_stride_s(), o.pool1_stride_s()})
                               .padding({0, 1, 1})));
  pool2_ = register_module(
      "pool2", torch::nn::MaxPool3d(torch::nn::MaxPool3dOptions({2, 1, 1}).stride({2, 1, 1})));
  inplanes_ = o.base_channels();
  for (int64_t i = 0; i < stages; ++i)
    res_layers_.push_back(
        register_module("layer" + std::to_string(i + 1),
                        make_res_layer(i, o.base_channels() << i, blocks[static_cast<size_t>(i)])));
  init_weights();
}

torch::nn::Sequential ResNet3dImpl::make_res_layer(int64_t stage, int64_t planes, int64_t blocks) {
  const ResNet3dOptions& o = options;
  size_t s = static_cast<size_t>(stage);
  std::string path = o.path() + ".layer" + std::to_string(stage + 1);
  std::vector<int64_t> inflate = o.inflate()[s];
  if (inflate.size() == 1) inflate.assign(static_cast<size_t>(blocks), inflate[0]);
  if (static_cast<int64_t>(inflate.size()) != blocks)
    throw ConfigError(path + ": inflate needs one entry per block (" + std::to_string(blocks) +
                      ")");
  int64_t expansion = bottleneck_ ? 4 : 1;
  int64_t spatial = o.spatial_strides()[s], temporal = o.temporal_strides()[s];
  ConvModule downsample{nullptr};
  // As in MMAction2, only a spatial stride or a width change calls for a downsample.
  if (spatial != 1 || inplanes_ != planes * expansion)
    downsample = ConvModule(conv3d(o, inplanes_, planes * expansion, {1},
                                   {temporal, spatial, spatial}, {0}, path + ".0.downsample")
                                .act_cfg(Value()));
  torch::nn::Sequential layer;
  for (int64_t b = 0; b < blocks; ++b) {
    BlockSpec spec{b == 0 ? inplanes_ : planes * expansion,
                   planes,
                   b == 0 ? spatial : 1,
                   b == 0 ? temporal : 1,
                   o.dilations()[s],
                   inflate[static_cast<size_t>(b)] == 1};
    std::string block_path = path + "." + std::to_string(b);
    auto convs =
        bottleneck_ ? bottleneck_convs(o, spec, block_path) : basic_convs(o, spec, block_path);
    Block3d block(convs, b == 0 ? downsample : ConvModule(nullptr),
                  build_activation_layer(o.act_cfg(), block_path + ".relu"));
    last_convs_.push_back(block->last_conv());
    layer->push_back(block);
  }
  inplanes_ = planes * expansion;
  return layer;
}

void ResNet3dImpl::init_weights() {
  for (auto& m : modules(/*include_self=*/false)) {
    if (m->as<torch::nn::Conv3d>())
      kaiming_init(*m);
    else if (m->as<torch::nn::BatchNorm3d>())
      constant_init(*m, 1);
  }
  if (options.zero_init_residual())
    for (auto& conv : last_convs_)
      if (conv->with_norm()) constant_init(*conv->norm(), 0);
}

std::vector<torch::Tensor> ResNet3dImpl::forward_features(const torch::Tensor& input) {
  torch::Tensor x = conv1_(input);
  if (options.with_pool1()) x = maxpool_(x);
  std::vector<torch::Tensor> outs;
  const auto& wanted = options.out_indices();
  for (size_t i = 0; i < res_layers_.size(); ++i) {
    x = res_layers_[i]->forward(x);
    if (i == 0 && options.with_pool2()) x = pool2_(x);
    if (std::find(wanted.begin(), wanted.end(), static_cast<int64_t>(i)) != wanted.end())
      outs.push_back(x);
  }
  return outs;
}

void ResNet3dImpl::train(bool on) {
  torch::nn::Module::train(on);
  if (options.frozen_stages() >= 0) {
    conv1_->eval();
    for (auto& p : conv1_->parameters()) p.set_requires_grad(false);
  }
  for (int64_t i = 1; i <= options.frozen_stages() && i <= static_cast<int64_t>(res_layers_.size());
       ++i) {
    res_layers_[static_cast<size_t>(i - 1)]->eval();
    for (auto& p : res_layers_[static_cast<size_t>(i - 1)]->parameters())
      p.set_requires_grad(false);
  }
  if (on && options.norm_eval())
    for (auto& m : modules())
      if (m->as<torch::nn::BatchNorm3d>()) m->eval();
}

namespace {
std::shared_ptr<torch::nn::Module> build_resnet3d(Args& args) {
  return std::make_shared<ResNet3dImpl>(ResNet3dOptions::from_config(args));
}
}  // namespace

TUBELET_REGISTER(BACKBONES, ResNet3d, build_resnet3d);

}  // namespace tubelet
