#include "tubelet/models/backbones/resnet3d.h"
#include "tubelet/models/freezing.h"

#include <algorithm>
#include <iostream>
#include <map>

#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/models/common/non_local.h"

#include "tubelet/fileio/model_cache.h"
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

// Modules applied in turn, named "0", "1", ... (CSN's conv2, an nn.Sequential there).
class ChainImpl : public torch::nn::Module {
 public:
  explicit ChainImpl(std::vector<ConvModule> convs) : convs_(std::move(convs)) {
    for (size_t i = 0; i < convs_.size(); ++i) register_module(std::to_string(i), convs_[i]);
  }
  torch::Tensor forward(torch::Tensor x) {
    for (auto& conv : convs_) x = conv(x);
    return x;
  }

 private:
  std::vector<ConvModule> convs_;
};
TORCH_MODULE(Chain);

// A residual block: its conv layers in order (conv1, conv2, ...), the last without activation.
class Block3dImpl : public torch::nn::Module {
 public:
  Block3dImpl(std::vector<torch::nn::AnyModule> convs, std::shared_ptr<ConvModuleImpl> last,
              ConvModule downsample, torch::nn::AnyModule relu, NonLocal non_local)
      : convs_(std::move(convs)), last_(std::move(last)), relu_(std::move(relu)) {
    for (size_t i = 0; i < convs_.size(); ++i)
      register_module("conv" + std::to_string(i + 1), convs_[i].ptr());
    if (downsample) downsample_ = register_module("downsample", downsample);
    register_module("relu", relu_.ptr());
    if (non_local) non_local_ = register_module("non_local_block", non_local);
  }
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor out = x;
    for (auto& conv : convs_) out = conv.forward(out);
    out = relu_.forward(out.add_(downsample_ ? downsample_(x) : x));  // in place, as MMAction2's
    return non_local_ ? non_local_(out) : out;
  }
  std::shared_ptr<ConvModuleImpl> last_conv() const { return last_; }

 private:
  std::vector<torch::nn::AnyModule> convs_;
  std::shared_ptr<ConvModuleImpl> last_;
  ConvModule downsample_{nullptr};
  torch::nn::AnyModule relu_;  // the block's act_cfg, as MMAction2's 3D blocks build it
  NonLocal non_local_{nullptr};
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

// ResNet3dCSN's block: conv2 becomes a depthwise conv with conv2's geometry and an
// activation, after a 1x1x1 conv ("ip"), both inside a Sequential.
torch::nn::AnyModule csn_conv2(const ResNet3dOptions& o, const ConvModule& conv2,
                               const std::string& path) {
  int64_t planes = conv2->options.out_channels();
  std::vector<ConvModule> chain;
  if (o.bottleneck_mode() == "ip")
    chain.emplace_back(
        conv3d(o, planes, planes, {1}, {1}, {0}, path + ".conv2.0").act_cfg(Value()));
  ConvModuleOptions depthwise = conv2->options;
  depthwise.groups(planes)
      .act_cfg(o.act_cfg())
      .path(path + ".conv2." + std::to_string(chain.size()));
  chain.emplace_back(depthwise);
  return torch::nn::AnyModule(Chain(std::move(chain)));
}

// An int for every stage/block, or a sequence per stage (each an int or one per block). As
// _ntuple, a longer sequence is accepted and its first num_stages entries are used.
std::vector<std::vector<int64_t>> read_per_stage(Args& args, const char* key, int64_t stages,
                                                 std::vector<std::vector<int64_t>> fallback) {
  const Value* v = args.find(key);
  if (!v) return fallback;
  if (v->is_int())
    return std::vector<std::vector<int64_t>>(static_cast<size_t>(stages), {v->as_int()});
  if (!v->is_sequence() || static_cast<int64_t>(v->as_list().size()) < stages)
    throw args.error(key, std::string("'") + key + "' must be an int or one entry per stage");
  std::vector<std::vector<int64_t>> out;
  for (int64_t i = 0; i < stages; ++i) {
    const Value& s = v->as_list()[static_cast<size_t>(i)];
    auto per_block = ArgConverter<std::vector<int64_t>>::from(s);
    if (s.is_int())
      out.push_back({s.as_int()});
    else if (per_block)
      out.push_back(*per_block);
    else
      throw args.error(key, std::string("'") + key + "' entries must be ints or lists of ints");
  }
  return out;
}

// A stage's per-block flags: one value for every block, or one per block.
std::vector<int64_t> per_block(std::vector<int64_t> flags, int64_t blocks, const std::string& path,
                               const char* what) {
  if (flags.size() == 1) flags.assign(static_cast<size_t>(blocks), flags[0]);
  if (static_cast<int64_t>(flags.size()) != blocks)
    throw ConfigError(path + ": " + what + " needs one entry per block (" + std::to_string(blocks) +
                      ")");
  return flags;
}

struct ArchResnet3D {
  bool bottleneck;
  std::vector<int64_t> stage_blocks;
};

const ArchResnet3D& arch_of_resnet3d(const ResNet3dOptions& o) {
  static const std::map<int64_t, ArchResnet3D> settings = {{18, {false, {2, 2, 2, 2}}},
                                                           {34, {false, {3, 4, 6, 3}}},
                                                           {50, {true, {3, 4, 6, 3}}},
                                                           {101, {true, {3, 4, 23, 3}}},
                                                           {152, {true, {3, 8, 36, 3}}}};
  auto it = settings.find(o.depth());
  // ResNet3dCSN knows only its bottleneck depths.
  if (it == settings.end() || (!o.bottleneck_mode().empty() && !it->second.bottleneck))
    throw ConfigError(o.path() + ": invalid depth " + std::to_string(o.depth()) + " for resnet");
  return it->second;
}

std::string shape_of(const torch::Tensor& t) {
  std::string out = "[";
  for (int64_t i = 0; i < t.dim(); ++i) out += (i ? ", " : "") + std::to_string(t.size(i));
  return out + "]";
}

// Python's str.replace('conv', 'bn').
std::string conv_to_bn(std::string name) {
  for (size_t p = 0; (p = name.find("conv", p)) != std::string::npos; p += 2)
    name.replace(p, 4, "bn");
  return name;
}

}  // namespace

Value ResNet3dOptions::type_cfg(const char* type, bool requires_grad, bool inplace) {
  Dict d;
  d.set("type", Value(type));
  if (requires_grad) d.set("requires_grad", Value(true));
  if (inplace) d.set("inplace", Value(true));
  return Value(d);
}

ResNet3dOptions ResNet3dOptions::from_config(Args& args) {
  return from_config(args, ResNet3dOptions());
}

ResNet3dOptions ResNet3dOptions::from_config(Args& args, const ResNet3dOptions& d) {
  ResNet3dOptions o = d;
  o.depth(args.required<int64_t>("depth"))
      .pretrained(args.get("pretrained", d.pretrained()))
      .pretrained2d(args.get("pretrained2d", d.pretrained2d()))
      .stage_blocks(args.get("stage_blocks", d.stage_blocks()))
      .in_channels(args.get("in_channels", d.in_channels()))
      .num_stages(args.get("num_stages", d.num_stages()))
      .base_channels(args.get("base_channels", d.base_channels()))
      .out_indices(args.get("out_indices", d.out_indices()))
      .spatial_strides(args.get("spatial_strides", d.spatial_strides()))
      .temporal_strides(args.get("temporal_strides", d.temporal_strides()))
      .dilations(args.get("dilations", d.dilations()))
      .conv1_kernel(args.get("conv1_kernel", d.conv1_kernel()))
      .conv1_stride_s(args.get("conv1_stride_s", d.conv1_stride_s()))
      .conv1_stride_t(args.get("conv1_stride_t", d.conv1_stride_t()))
      .pool1_stride_s(args.get("pool1_stride_s", d.pool1_stride_s()))
      .pool1_stride_t(args.get("pool1_stride_t", d.pool1_stride_t()))
      .with_pool1(args.get("with_pool1", d.with_pool1()))
      .with_pool2(args.get("with_pool2", d.with_pool2()))
      .style(args.get("style", d.style()))
      .frozen_stages(args.get("frozen_stages", d.frozen_stages()))
      .inflate_style(args.get("inflate_style", d.inflate_style()))
      .conv_cfg(args.get("conv_cfg", d.conv_cfg()))
      .norm_cfg(args.get("norm_cfg", d.norm_cfg()))
      .act_cfg(args.get("act_cfg", d.act_cfg()))
      .norm_eval(args.get("norm_eval", d.norm_eval()))
      .zero_init_residual(args.get("zero_init_residual", d.zero_init_residual()))
      .path(args.path());
  std::vector<std::vector<int64_t>> inflate = d.inflate();
  inflate.resize(static_cast<size_t>(std::max<int64_t>(o.num_stages(), 0)), {1});
  o.inflate(read_per_stage(args, "inflate", o.num_stages(), inflate));
  args.get("with_cp", false);  // activation checkpointing: a memory saving, not needed here
  std::vector<std::vector<int64_t>> none(static_cast<size_t>(std::max<int64_t>(o.num_stages(), 0)),
                                         {0});
  o.non_local(read_per_stage(args, "non_local", o.num_stages(), none));
  o.non_local_cfg(args.get("non_local_cfg", Dict()));
  if (std::string why = o.pretrained() ? checkpoint_name_problem(*o.pretrained()) : "";
      !why.empty())
    throw args.error("pretrained", "pretrained=" + why);
  return o;
}

ResNet3dImpl::ResNet3dImpl(const ResNet3dOptions& o, bool initialise) : options(o) {
  const ArchResnet3D& arch = arch_of_resnet3d(o);
  bottleneck_ = arch.bottleneck;
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
  if (o.lateral() && o.channel_ratio() < 1)
    throw ConfigError(o.path() + ": channel_ratio must be positive");
  std::vector<int64_t> blocks = o.stage_blocks().value_or(
      std::vector<int64_t>(arch.stage_blocks.begin(), arch.stage_blocks.begin() + stages));
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
  if (initialise) init_weights();
}

torch::nn::Sequential ResNet3dImpl::make_res_layer(int64_t stage, int64_t planes, int64_t blocks) {
  const ResNet3dOptions& o = options;
  size_t s = static_cast<size_t>(stage);
  std::string path = o.path() + ".layer" + std::to_string(stage + 1);
  std::vector<int64_t> inflate = per_block(o.inflate()[s], blocks, path, "inflate");
  std::vector<int64_t> non_local =
      per_block(s < o.non_local().size() ? o.non_local()[s] : std::vector<int64_t>{0}, blocks, path,
                "non_local");
  int64_t expansion = bottleneck_ ? 4 : 1;
  // ResNet3dPathway: the fast pathway's lateral features join the stage's input.
  int64_t inplanes = inplanes_ + (o.lateral() ? inplanes_ * 2 / o.channel_ratio() : 0);
  int64_t spatial = o.spatial_strides()[s], temporal = o.temporal_strides()[s];
  ConvModule downsample{nullptr};
  // As in MMAction2, only a spatial stride or a width change calls for a downsample.
  if (spatial != 1 || inplanes != planes * expansion)
    downsample = ConvModule(conv3d(o, inplanes, planes * expansion, {1},
                                   {temporal, spatial, spatial}, {0}, path + ".0.downsample")
                                .act_cfg(Value()));
  torch::nn::Sequential layer;
  for (int64_t b = 0; b < blocks; ++b) {
    BlockSpec spec{b == 0 ? inplanes : planes * expansion,
                   planes,
                   b == 0 ? spatial : 1,
                   b == 0 ? temporal : 1,
                   o.dilations()[s],
                   inflate[static_cast<size_t>(b)] == 1};
    std::string block_path = path + "." + std::to_string(b);
    auto convs =
        bottleneck_ ? bottleneck_convs(o, spec, block_path) : basic_convs(o, spec, block_path);
    std::vector<torch::nn::AnyModule> layers;
    for (size_t c = 0; c < convs.size(); ++c)
      layers.push_back(c == 1 && !o.bottleneck_mode().empty() ? csn_conv2(o, convs[c], block_path)
                                                              : torch::nn::AnyModule(convs[c]));
    NonLocal nl{nullptr};
    if (non_local[static_cast<size_t>(b)] == 1) {
      Args nl_args(Value(o.non_local_cfg()), "NonLocal3d", block_path + ".non_local_block");
      NonLocalOptions nl_options =
          NonLocalOptions::from_config(nl_args, convs.back()->options.out_channels());
      nl_args.finish();
      nl = NonLocal(3, nl_options.path(block_path + ".non_local_block"));
    }
    Block3d block(std::move(layers), convs.back().ptr(), b == 0 ? downsample : ConvModule(nullptr),
                  build_activation_layer(o.act_cfg(), block_path + ".relu"), nl);
    last_convs_.push_back(block->last_conv());
    layer->push_back(block);
  }
  inplanes_ = planes * expansion;
  return layer;
}

void ResNet3dImpl::init_weights() {
  if (!options.pretrained()) {
    init_from_scratch();
    init_extra_weights();
    return;
  }
  if (options.pretrained2d()) {
    inflate_weights(*options.pretrained());
    return;
  }
  auto report = checkpoint::load_state_dict(
      *this, checkpoint::load_checkpoint(*options.pretrained()).state_dict, /*strict=*/false);
  if (!report.ok()) std::cerr << report.message() << "\n";
}

void ResNet3dImpl::init_from_scratch() {
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

std::vector<std::string> ResNet3dImpl::inflate_weights(const std::string& path) {
  checkpoint::LoadOptions keep_keys;  // MMAction2 reads the 2D keys as they are
  keep_keys.revise_keys.clear();
  checkpoint::StateDict r2d = checkpoint::load_checkpoint(path, keep_keys).state_dict;
  std::vector<std::string> used, warnings;
  torch::NoGradGuard no_grad;
  for (const auto& item : named_modules("", /*include_self=*/false)) {
    const std::string& name = item.key();
    auto* module = item.value()->as<ConvModuleImpl>();
    if (!module || (pathway_inflation_ && name.find("lateral") != std::string::npos)) continue;
    bool downsample = name.find("downsample") != std::string::npos;
    std::string conv_name = downsample ? name + ".0" : name;
    std::string bn_name = downsample ? name + ".1" : conv_to_bn(name);
    if (!r2d.find(conv_name + ".weight"))
      warnings.push_back("Module not exist in the state_dict_r2d: " + conv_name);
    else
      inflate_conv(*module, conv_name, r2d, used, warnings);
    if (!r2d.find(bn_name + ".weight"))
      warnings.push_back("Module not exist in the state_dict_r2d: " + bn_name);
    else if (module->with_norm())
      inflate_norm(*module->norm(), bn_name, r2d, used, warnings);
  }
  for (const auto& w : warnings) std::cerr << options.path() << ": " << w << "\n";
  std::string remaining;
  for (const auto& item : r2d)
    if (std::find(used.begin(), used.end(), item.key()) == used.end())
      remaining += (remaining.empty() ? "" : ", ") + item.key();
  if (!remaining.empty())
    std::cerr << options.path() << ": These parameters in the 2d checkpoint are not loaded: {"
              << remaining << "}\n";
  return used;
}

void ResNet3dImpl::inflate_conv(ConvModuleImpl& module, const std::string& name,
                                const checkpoint::StateDict& r2d, std::vector<std::string>& used,
                                std::vector<std::string>& warnings) const {
  auto params = module.conv()->named_parameters(/*recurse=*/false);
  torch::Tensor* weight = params.find("weight");
  torch::Tensor w2d = r2d[name + ".weight"];
  if (!weight || weight->dim() != 5 || w2d.dim() != 4) {
    warnings.push_back("Weight shape mismatch for : " + name + " (not a 2D -> 3D conv)");
    return;
  }
  if (pathway_inflation_ && weight->size(1) > w2d.size(1)) {
    // Lateral channels join this conv's input: they get zero weights.
    auto pad = w2d.sizes().vec();
    pad[1] = weight->size(1) - w2d.size(1);
    w2d = torch::cat({w2d, torch::zeros(pad, w2d.options())}, 1);
  }
  auto expected = weight->sizes().vec();
  expected.erase(expected.begin() + 2);
  if (w2d.sizes().vec() != expected) {
    warnings.push_back("Weight shape mismatch for : " + name +
                       " : 3d weight shape: " + shape_of(*weight) +
                       "; 2d weight shape: " + shape_of(r2d[name + ".weight"]) + ". ");
    return;
  }
  weight->copy_(w2d.unsqueeze(2).expand_as(*weight) / weight->size(2));
  used.push_back(name + ".weight");
  torch::Tensor* bias = params.find("bias");
  if (bias && bias->defined()) {
    bias->copy_(r2d[name + ".bias"]);
    used.push_back(name + ".bias");
  }
}

void ResNet3dImpl::inflate_norm(torch::nn::Module& norm, const std::string& name,
                                const checkpoint::StateDict& r2d, std::vector<std::string>& used,
                                std::vector<std::string>& warnings) const {
  for (auto& param : norm.named_parameters(/*recurse=*/false)) {
    const torch::Tensor* source = r2d.find(name + "." + param.key());
    if (!source || source->sizes() != param.value().sizes()) {
      warnings.push_back("The parameter of " + name + " is not loaded due to incompatible shapes.");
      return;
    }
    param.value().copy_(*source);
    used.push_back(name + "." + param.key());
  }
  for (auto& buffer : norm.named_buffers(/*recurse=*/false))
    if (const torch::Tensor* source = r2d.find(name + "." + buffer.key())) {
      buffer.value().copy_(*source);
      used.push_back(name + "." + buffer.key());
    }
}

void ResNet3dImpl::check_input(const torch::Tensor& x, const std::string& module) const {
  if (x.dim() != 5 || x.size(1) != options.in_channels())
    throw std::invalid_argument(module +
                                " expects input [N, C=" + std::to_string(options.in_channels()) +
                                ", T, H, W], got " + shape_of(x));
}

std::vector<torch::Tensor> ResNet3dImpl::forward_features(const torch::Tensor& input) {
  check_input(input, "ResNet3d");
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
  if (options.frozen_stages() >= 0) freeze(*conv1_);
  for (int64_t i = 1; i <= options.frozen_stages() && i <= static_cast<int64_t>(res_layers_.size());
       ++i)
    freeze(*res_layers_[static_cast<size_t>(i - 1)]);
  if (on && options.norm_eval())
    for (auto& m : modules())
      if (m->as<torch::nn::BatchNorm3d>()) {
        m->eval();
        if (options.bn_frozen())  // ResNet3dCSN
          for (auto& p : m->parameters()) p.set_requires_grad(false);
      }
}

namespace {
std::shared_ptr<Backbone> build_resnet3d(Args& args) {
  return std::make_shared<ResNet3dImpl>(ResNet3dOptions::from_config(args));
}
}  // namespace

TUBELET_REGISTER(BACKBONES, ResNet3d, build_resnet3d);

}  // namespace tubelet
