#include "tubelet/models/necks/tpn.h"

#include <torch/nn/init.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/modules/upsampling.h>

#include <cmath>
#include <sstream>

#include "tubelet/args.h"
#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"

namespace tubelet {

namespace {

Value dict_of(std::initializer_list<std::pair<const char*, Value>> items) {
  Dict d;
  for (const auto& [k, v] : items) d.set(k, v);
  return Value(d);
}

Value bn3d() {
  return dict_of({{"type", Value("BN3d")}, {"requires_grad", Value(true)}});
}
Value relu() {
  return dict_of({{"type", Value("ReLU")}, {"inplace", Value(true)}});
}

std::string shape_of_tpn(const torch::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

// mmcv's xavier_init(distribution='uniform'): gain 1, bias 0.
void xavier_uniform_init(torch::nn::Module& layer) {
  torch::NoGradGuard no_grad;
  auto params = layer.named_parameters(/*recurse=*/false);
  if (torch::Tensor* w = params.find("weight")) torch::nn::init::xavier_uniform_(*w, 1.0);
  if (torch::Tensor* b = params.find("bias"); b && b->defined()) b->zero_();
}

// TPN.init_weights and AuxHead.init_weights walk every sub-module of a kind.
void init_conv3d_and_bn3d(torch::nn::Module& root) {
  for (const auto& m : root.modules(/*include_self=*/false)) {
    if (m->as<torch::nn::Conv3dImpl>()) xavier_uniform_init(*m);
    if (m->as<torch::nn::BatchNorm3dImpl>()) constant_init(*m, 1);
  }
}

torch::nn::MaxPool3d ceil_max_pool(const IntOrTuple& scale) {
  std::vector<int64_t> k = scale.size() == 1 ? std::vector<int64_t>(3, scale[0]) : scale;
  if (k.size() != 3) throw ConfigError("a max-pool scale needs 1 or 3 values");
  torch::ExpandingArray<3> kernel({k[0], k[1], k[2]});
  return torch::nn::MaxPool3d(
      torch::nn::MaxPool3dOptions(kernel).stride(kernel).padding(0).ceil_mode(true));
}

}  // namespace

Value DownSampleOptions::conv3d_cfg() {
  return dict_of({{"type", Value("Conv3d")}});
}

DownSampleImpl::DownSampleImpl(const DownSampleOptions& o) : options(o) {
  if (o.downsample_position() != "before" && o.downsample_position() != "after")
    throw ConfigError(o.path() + ": downsample_position must be 'before' or 'after', got '" +
                      o.downsample_position() + "'");
  conv_ = register_module(
      "conv", ConvModule(ConvModuleOptions(o.in_channels(), o.out_channels(), o.kernel_size())
                             .stride(o.stride())
                             .padding(o.padding())
                             .groups(o.groups())
                             .bias(o.bias())
                             .conv_cfg(o.conv_cfg())
                             .norm_cfg(o.norm_cfg())
                             .act_cfg(o.act_cfg())
                             .path(o.path())));
  pool_ = register_module("pool", ceil_max_pool(o.downsample_scale()));
}

torch::Tensor DownSampleImpl::forward(const torch::Tensor& x) {
  if (options.downsample_position() == "before") return conv_(pool_(x));
  return pool_(conv_(x));
}

LevelFusionImpl::LevelFusionImpl(const LevelFusionOptions& o) : options(o) {
  size_t n = o.in_channels().size();
  if (o.mid_channels().size() != n || o.downsample_scales().size() < n)
    throw ConfigError(o.path() + ": in_channels, mid_channels and downsample_scales need one " +
                      "entry per level (" + std::to_string(n) + ")");
  downsamples_ = register_module("downsamples", torch::nn::ModuleList());
  int64_t mid_sum = 0;
  for (size_t i = 0; i < n; ++i) {
    DownSampleOptions d(o.in_channels()[i], o.mid_channels()[i]);
    d.kernel_size({1, 1, 1})
        .padding({0, 0, 0})
        .groups(32)
        .norm_cfg(bn3d())
        .act_cfg(relu())
        .downsample_position("before")
        .downsample_scale(o.downsample_scales()[i])
        .path(o.path() + ".downsamples." + std::to_string(i));
    downsamples_->push_back(DownSample(d));
    mid_sum += o.mid_channels()[i];
  }
  fusion_conv_ =
      register_module("fusion_conv", ConvModule(ConvModuleOptions(mid_sum, o.out_channels(), {1})
                                                    .bias("false")
                                                    .conv_cfg(DownSampleOptions::conv3d_cfg())
                                                    .norm_cfg(bn3d())
                                                    .act_cfg(relu())
                                                    .path(o.path() + ".fusion_conv")));
}

torch::Tensor LevelFusionImpl::forward(const std::vector<torch::Tensor>& x) {
  TORCH_CHECK(x.size() <= downsamples_->size(), options.path(), ": ", x.size(), " levels for ",
              downsamples_->size(), " downsamples");
  std::vector<torch::Tensor> out;
  for (size_t i = 0; i < x.size(); ++i)
    out.push_back(downsamples_[i]->as<DownSample>()->forward(x[i]));
  return fusion_conv_(torch::cat(out, 1));
}

SpatialModulationImpl::SpatialModulationImpl(const std::vector<int64_t>& in_channels,
                                             int64_t out_channels, const std::string& path) {
  spatial_modulation_ = register_module("spatial_modulation", torch::nn::ModuleList());
  for (size_t i = 0; i < in_channels.size(); ++i) {
    int64_t channel = in_channels[i];
    if (channel <= 0 || out_channels < channel)
      throw ConfigError(path + ": out_channels (" + std::to_string(out_channels) +
                        ") must be at least each of in_channels (got " + std::to_string(channel) +
                        ")");
    int64_t factor = static_cast<int64_t>(std::log2(static_cast<double>(out_channels / channel)));
    identity_.push_back(factor < 1);
    if (factor < 1) {
      spatial_modulation_->push_back(torch::nn::Identity());
      continue;
    }
    torch::nn::ModuleList op;
    for (int64_t f = 0; f < factor; ++f)
      op->push_back(ConvModule(ConvModuleOptions(channel << f, channel << (f + 1), {1, 3, 3})
                                   .stride({1, 2, 2})
                                   .padding({0, 1, 1})
                                   .bias("false")
                                   .conv_cfg(DownSampleOptions::conv3d_cfg())
                                   .norm_cfg(bn3d())
                                   .act_cfg(relu())
                                   .path(path + "." + std::to_string(i))));
    spatial_modulation_->push_back(op);
  }
}

std::vector<torch::Tensor> SpatialModulationImpl::forward(const std::vector<torch::Tensor>& x) {
  std::vector<torch::Tensor> out;
  for (size_t i = 0; i < x.size(); ++i) {
    torch::Tensor y = x[i];
    if (!identity_[i])
      for (const auto& op : *spatial_modulation_[i]->as<torch::nn::ModuleList>())
        y = op->as<ConvModule>()->forward(y);
    out.push_back(y);
  }
  return out;
}

AuxHeadImpl::AuxHeadImpl(const AuxHeadOptions& o, std::shared_ptr<Loss> loss_cls) : options(o) {
  int64_t mid = o.in_channels() * 2;
  conv_ = register_module("conv", ConvModule(ConvModuleOptions(o.in_channels(), mid, {1, 3, 3})
                                                 .stride({1, 2, 2})
                                                 .padding({0, 1, 1})
                                                 .bias("false")
                                                 .conv_cfg(DownSampleOptions::conv3d_cfg())
                                                 .norm_cfg(bn3d())
                                                 .path(o.path() + ".conv")));
  dropout_ = register_module("dropout", torch::nn::Dropout(0.5));
  fc_ = register_module("fc", torch::nn::Linear(mid, o.out_channels()));
  loss_cls_ = register_module("loss_cls", std::move(loss_cls));
  init_weights();
}

void AuxHeadImpl::init_weights() {
  normal_init(*fc_, 0, 0.01);
  init_conv3d_and_bn3d(*this);
}

LossDict AuxHeadImpl::forward(const torch::Tensor& x, const torch::Tensor& target_in) {
  if (!target_in.defined()) return {};
  torch::Tensor y = torch::adaptive_avg_pool3d(conv_(x), {1, 1, 1}).flatten(1);
  y = fc_(dropout_(y));
  torch::Tensor target = target_in.dim() == 0 ? target_in.unsqueeze(0) : target_in;
  return {{"loss_aux", options.loss_weight() * loss_cls_->forward_loss(y, target)}};
}

TemporalModulationImpl::TemporalModulationImpl(int64_t in_channels, int64_t out_channels,
                                               int64_t downsample_scale, const std::string& path) {
  conv_ = register_module("conv", ConvModule(ConvModuleOptions(in_channels, out_channels, {3, 1, 1})
                                                 .padding({1, 0, 0})
                                                 .bias("false")
                                                 .groups(32)
                                                 .conv_cfg(DownSampleOptions::conv3d_cfg())
                                                 .act_cfg(Value())
                                                 .path(path)));
  pool_ = register_module("pool", ceil_max_pool({downsample_scale, 1, 1}));
}

torch::Tensor TemporalModulationImpl::forward(const torch::Tensor& x) {
  return pool_(conv_(x));
}

TPNImpl::TPNImpl(const TPNOptions& o, std::shared_ptr<Loss> aux_loss) : options(o) {
  const std::string& path = o.path();
  if (o.flow_type() != "cascade" && o.flow_type() != "parallel")
    throw ConfigError(path + ": flow_type in TPN should be 'cascade' or 'parallel', but got '" +
                      o.flow_type() + "' instead");
  size_t n = o.in_channels().size();
  if (n < 2) throw ConfigError(path + ": in_channels needs at least two levels");
  temporal_modulation_ops_ = register_module("temporal_modulation_ops", torch::nn::ModuleList());
  upsample_ops_ = register_module("upsample_ops", torch::nn::ModuleList());
  downsample_ops_ = register_module("downsample_ops", torch::nn::ModuleList());
  level_fusion_1_ = register_module("level_fusion_1", LevelFusion(o.level_fusion()));
  spatial_modulation_ = register_module(
      "spatial_modulation", SpatialModulation(o.spatial_in_channels(), o.spatial_out_channels(),
                                              path + ".spatial_modulation_cfg"));
  if (o.temporal_downsample_scales() && o.temporal_downsample_scales()->size() < n)
    throw ConfigError(path + ": temporal_modulation_cfg.downsample_scales needs one scale per " +
                      "level (" + std::to_string(n) + ")");
  for (size_t i = 0; i < n; ++i) {
    if (o.temporal_downsample_scales())
      temporal_modulation_ops_->push_back(TemporalModulation(
          o.in_channels().back(), o.out_channels(), (*o.temporal_downsample_scales())[i],
          path + ".temporal_modulation_ops." + std::to_string(i)));
    if (i + 1 == n) continue;
    if (const auto& u = o.upsample()) {
      torch::nn::UpsampleOptions up;
      if (u->size) up.size(*u->size);
      if (u->scale_factor) up.scale_factor(*u->scale_factor);
      if (u->mode == "nearest") up.mode(torch::kNearest);
      if (u->mode == "linear") up.mode(torch::kLinear);
      if (u->mode == "bilinear") up.mode(torch::kBilinear);
      if (u->mode == "bicubic") up.mode(torch::kBicubic);
      if (u->mode == "trilinear") up.mode(torch::kTrilinear);
      if (u->align_corners) up.align_corners(*u->align_corners);
      upsample_ops_->push_back(torch::nn::Upsample(up));
    }
    if (const auto& d = o.downsample()) {
      DownSampleOptions ds = *d;
      ds.in_channels(o.out_channels()).out_channels(o.out_channels());
      ds.path(path + ".downsample_cfg");
      downsample_ops_->push_back(DownSample(ds));
    }
  }
  level_fusion_2_ = register_module("level_fusion_2", LevelFusion(o.level_fusion()));
  pyramid_fusion_ = register_module(
      "pyramid_fusion", ConvModule(ConvModuleOptions(o.level_fusion().out_channels() * 2, 2048, {1})
                                       .bias("false")
                                       .conv_cfg(DownSampleOptions::conv3d_cfg())
                                       .norm_cfg(bn3d())
                                       .path(path + ".pyramid_fusion")));
  if (o.aux_head()) {
    AuxHeadOptions a = *o.aux_head();
    a.in_channels(o.in_channels()[n - 2]).path(path + ".aux_head_cfg");
    aux_head_ = register_module("aux_head", AuxHead(a, std::move(aux_loss)));
  }
  init_weights();
}

void TPNImpl::init_weights() {
  init_conv3d_and_bn3d(*this);
  if (aux_head_) aux_head_->init_weights();
}

void TPNImpl::check_levels(const std::vector<torch::Tensor>& x) const {
  const auto& channels = options.in_channels();
  if (x.size() != channels.size())
    throw std::invalid_argument(options.path() + " expects " + std::to_string(channels.size()) +
                                " feature maps (one per in_channels), got " +
                                std::to_string(x.size()));
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i].dim() != 5 || x[i].size(1) != channels[i])
      throw std::invalid_argument(options.path() + ": feature map " + std::to_string(i) +
                                  " must be [N, " + std::to_string(channels[i]) +
                                  ", T, H, W], got " + shape_of_tpn(x[i]));
  if (temporal_modulation_ops_->is_empty())
    throw std::invalid_argument(options.path() +
                                ": without temporal_modulation_cfg there is nothing to fuse");
}

std::vector<torch::Tensor> TPNImpl::top_down(std::vector<torch::Tensor> outs) {
  for (size_t i = upsample_ops_->is_empty() ? 0 : outs.size() - 1; i > 0; --i) {
    torch::Tensor up = upsample_ops_[i - 1]->as<torch::nn::Upsample>()->forward(outs[i]);
    TORCH_CHECK(up.sizes() == outs[i - 1].sizes(), options.path(), ": upsampled level ", i, " is ",
                up.sizes(), " but level ", i - 1, " is ", outs[i - 1].sizes());
    outs[i - 1] = outs[i - 1] + up;
  }
  return outs;
}

std::vector<torch::Tensor> TPNImpl::bottom_up(std::vector<torch::Tensor> outs) {
  if (downsample_ops_->is_empty()) return outs;
  for (size_t i = 0; i + 1 < outs.size(); ++i) {
    torch::Tensor down = downsample_ops_[i]->as<DownSample>()->forward(outs[i]);
    TORCH_CHECK(down.sizes() == outs[i + 1].sizes(), options.path(), ": downsampled level ", i,
                " is ", down.sizes(), " but level ", i + 1, " is ", outs[i + 1].sizes());
    outs[i + 1] = outs[i + 1] + down;
  }
  return outs;
}

std::pair<torch::Tensor, LossDict> TPNImpl::forward(const std::vector<torch::Tensor>& x,
                                                    const torch::Tensor& target) {
  check_levels(x);
  LossDict losses;
  if (aux_head_) losses = aux_head_->forward(x[x.size() - 2], target);
  std::vector<torch::Tensor> spatial = spatial_modulation_->forward(x);
  std::vector<torch::Tensor> temporal;
  for (size_t i = 0; i < temporal_modulation_ops_->size(); ++i)
    temporal.push_back(temporal_modulation_ops_[i]->as<TemporalModulation>()->forward(spatial[i]));
  std::vector<torch::Tensor> outs = top_down(temporal);
  torch::Tensor top_down_outs = level_fusion_1_(outs);
  // Cascade: the bottom-up flow starts from the top-down sums; parallel: from the levels.
  outs = bottom_up(options.flow_type() == "parallel" ? temporal : outs);
  torch::Tensor bottom_up_outs = level_fusion_2_(outs);
  return {pyramid_fusion_(torch::cat({top_down_outs, bottom_up_outs}, 1)), std::move(losses)};
}

NeckOutput TPNImpl::forward_neck(const std::vector<torch::Tensor>& feats,
                                 const torch::Tensor& target) {
  auto [out, losses] = forward(feats, target);
  return {{out}, std::move(losses)};
}

namespace {

IntOrTuple read_int_or_tuple(Args& args, const char* key, IntOrTuple fallback) {
  const Value* v = args.find(key);
  if (!v) return fallback;
  if (v->is_int()) return {v->as_int()};
  auto list = ArgConverter<std::vector<int64_t>>::from(*v);
  if (!list)
    throw args.error(key, std::string("argument '") + key + "' expects int or tuple of int");
  return *list;
}

std::string read_bias(Args& args, const char* fallback) {
  const Value* v = args.find("bias");
  if (!v) return fallback;
  if (v->is_bool()) return v->as_bool() ? "true" : "false";
  if (v->is_str() && v->as_str() == "auto") return "auto";
  throw args.error("bias", "bias must be True, False or 'auto'");
}

Args sub_args(Args& args, const char* key, const char* module) {
  return Args(*args.find(key), module, args.path() + "." + key);
}

bool present(Args& args, const char* key) {
  const Value* v = args.find(key);
  return v && !v->is_none();
}

DownSampleOptions read_downsample_cfg(Args& args) {
  Args d = sub_args(args, "downsample_cfg", "DownSample");
  DownSampleOptions o(0, 0);
  o.kernel_size(read_int_or_tuple(d, "kernel_size", o.kernel_size()))
      .stride(read_int_or_tuple(d, "stride", o.stride()))
      .padding(read_int_or_tuple(d, "padding", o.padding()))
      .groups(d.get("groups", o.groups()))
      .bias(read_bias(d, "false"))
      .conv_cfg(d.get("conv_cfg", o.conv_cfg()))
      .norm_cfg(d.get("norm_cfg", Value()))
      .act_cfg(d.get("act_cfg", Value()))
      .downsample_position(d.get("downsample_position", o.downsample_position()))
      .downsample_scale(read_int_or_tuple(d, "downsample_scale", o.downsample_scale()));
  d.finish();
  return o;
}

TPNUpsampleOptions read_upsample_cfg(Args& args) {
  Args u = sub_args(args, "upsample_cfg", "Upsample");
  TPNUpsampleOptions o;
  if (present(u, "size")) o.size = read_int_or_tuple(u, "size", {});
  if (const Value* s = u.find("scale_factor"); s && !s->is_none()) {
    if (s->is_int() || s->is_float())
      o.scale_factor = std::vector<double>(3, s->as_float());
    else
      o.scale_factor = u.get("scale_factor", std::vector<double>{});
  }
  o.mode = u.get("mode", o.mode);
  o.align_corners = u.get<std::optional<bool>>("align_corners", std::nullopt);
  u.get<std::optional<bool>>("recompute_scale_factor", std::nullopt);
  u.finish();
  static const char* modes[] = {"nearest", "linear", "bilinear", "bicubic", "trilinear"};
  if (std::find(std::begin(modes), std::end(modes), o.mode) == std::end(modes))
    throw u.error("mode", "Upsample mode '" + o.mode + "' is not supported");
  if (o.size.has_value() == o.scale_factor.has_value())
    throw u.error("scale_factor", "Upsample needs either size or scale_factor");
  return o;
}

LevelFusionOptions read_level_fusion_cfg(Args& args) {
  Args l = sub_args(args, "level_fusion_cfg", "LevelFusion");
  LevelFusionOptions o;
  o.in_channels(l.required<std::vector<int64_t>>("in_channels"))
      .mid_channels(l.required<std::vector<int64_t>>("mid_channels"))
      .out_channels(l.required<int64_t>("out_channels"))
      .path(l.path());
  if (const Value* s = l.find("downsample_scales")) {
    if (!s->is_sequence())
      throw l.error("downsample_scales", "downsample_scales must be a tuple (one per level)");
    std::vector<IntOrTuple> scales;
    for (const Value& item : s->as_list()) {
      if (item.is_int()) {
        scales.push_back({item.as_int()});
      } else {
        auto v = ArgConverter<std::vector<int64_t>>::from(item);
        if (!v) throw l.error("downsample_scales", "downsample_scales holds ints or int tuples");
        scales.push_back(*v);
      }
    }
    o.downsample_scales(scales);
  }
  l.finish();
  return o;
}

std::shared_ptr<Neck> build_tpn(Args& args) {
  TPNOptions o(args.required<std::vector<int64_t>>("in_channels"),
               args.required<int64_t>("out_channels"));
  o.path(args.path());
  if (!present(args, "spatial_modulation_cfg"))
    throw args.error("spatial_modulation_cfg", "TPN needs spatial_modulation_cfg");
  Args s = sub_args(args, "spatial_modulation_cfg", "SpatialModulation");
  o.spatial_in_channels(s.required<std::vector<int64_t>>("in_channels"))
      .spatial_out_channels(s.required<int64_t>("out_channels"));
  s.finish();
  if (present(args, "temporal_modulation_cfg")) {
    Args t = sub_args(args, "temporal_modulation_cfg", "TemporalModulation");
    o.temporal_downsample_scales(t.required<std::vector<int64_t>>("downsample_scales"));
    t.finish();
  }
  if (present(args, "upsample_cfg")) o.upsample(read_upsample_cfg(args));
  if (present(args, "downsample_cfg")) o.downsample(read_downsample_cfg(args));
  if (!present(args, "level_fusion_cfg"))
    throw args.error("level_fusion_cfg", "TPN needs level_fusion_cfg");
  o.level_fusion(read_level_fusion_cfg(args));
  std::shared_ptr<Loss> aux_loss;
  if (present(args, "aux_head_cfg")) {
    Args a = sub_args(args, "aux_head_cfg", "AuxHead");
    AuxHeadOptions aux(0, a.required<int64_t>("out_channels"));
    aux.loss_weight(a.get("loss_weight", 0.5));
    Value ce = dict_of({{"type", Value("CrossEntropyLoss")}});
    aux_loss = LOSSES().build(a.get("loss_cls", ce), {a.path() + ".loss_cls"});
    a.finish();
    o.aux_head(aux);
  }
  o.flow_type(args.get("flow_type", o.flow_type()));
  if (o.flow_type() != "cascade" && o.flow_type() != "parallel")
    throw args.error("flow_type",
                     "argument 'flow_type' (flow type in TPN) should be 'cascade' or "
                     "'parallel', but got '" +
                         o.flow_type() + "' instead");
  return std::make_shared<TPNImpl>(o, aux_loss);
}

}  // namespace

TUBELET_REGISTER(NECKS, TPN, build_tpn);

}  // namespace tubelet
