#include "tubelet/models/heads/acrn_head.h"

#include <torch/torch.h>

#include <stdexcept>

namespace tubelet {

namespace {
Value acrn_head_cfg(const char* type, bool with_flag, const char* flag) {
  Dict d;
  d.set("type", Value(type));
  if (flag) d.set(flag, Value(with_flag));
  return Value(std::move(d));
}
}  // namespace

ACRNHeadOptions ACRNHeadOptions::from_config(Args& args) {
  ACRNHeadOptions o(args.required<int64_t>("in_channels"), args.required<int64_t>("out_channels"));
  o.stride(args.get("stride", o.stride()));
  o.num_convs(args.get("num_convs", o.num_convs()));
  o.conv_cfg(args.get("conv_cfg", acrn_head_cfg("Conv3d", false, nullptr)));
  o.norm_cfg(args.get("norm_cfg", acrn_head_cfg("BN3d", true, "requires_grad")));
  o.act_cfg(args.get("act_cfg", acrn_head_cfg("ReLU", true, "inplace")));
  // MMAction2 swallows **kwargs "to be compatible with MMDet": StandardRoIHead passes
  // `pretrained` to its shared head.
  args.find("pretrained");
  o.path(args.path());
  if (o.in_channels() <= 0) throw args.error("in_channels", "in_channels must be positive");
  if (o.out_channels() <= 0) throw args.error("out_channels", "out_channels must be positive");
  if (o.stride() <= 0) throw args.error("stride", "stride must be positive");
  if (o.num_convs() < 1) throw args.error("num_convs", "num_convs must be at least 1");
  return o;
}

ACRNHeadImpl::ACRNHeadImpl(const ACRNHeadOptions& o) : options(o) {
  auto conv = [&](int64_t in, IntOrTuple kernel, IntOrTuple stride, IntOrTuple padding,
                  const std::string& name) {
    return ConvModule(ConvModuleOptions(in, o.out_channels(), std::move(kernel))
                          .stride(std::move(stride))
                          .padding(std::move(padding))
                          .bias("false")
                          .conv_cfg(o.conv_cfg())
                          .norm_cfg(o.norm_cfg())
                          .act_cfg(o.act_cfg())
                          .path(o.path() + "." + name));
  };
  conv1 = register_module("conv1", conv(o.in_channels(), {1}, {1}, {0}, "conv1"));
  conv2 = register_module(
      "conv2", conv(o.out_channels(), {1, 3, 3}, {1, o.stride(), o.stride()}, {0, 1, 1}, "conv2"));
  convs = register_module("convs", torch::nn::ModuleList());
  for (int64_t i = 0; i + 1 < o.num_convs(); ++i)
    convs->push_back(
        conv(o.out_channels(), {1, 3, 3}, {1}, {0, 1, 1}, "convs." + std::to_string(i)));
  init_weights();
}

void ACRNHeadImpl::init_weights() {
  conv1->init_weights();
  conv2->init_weights();
  for (const auto& m : *convs) m->as<ConvModuleImpl>()->init_weights();
}

torch::Tensor ACRNHeadImpl::forward(const torch::Tensor& input, const torch::Tensor& feat,
                                    const torch::Tensor& rois) {
  if (!input.defined() || input.dim() != 5 || !feat.defined() || feat.dim() != 5)
    throw std::invalid_argument("ACRNHead: expects RoI features and a context map, both 5-D");
  if (input.size(1) + feat.size(1) != options.in_channels())
    throw std::invalid_argument(
        "ACRNHead: RoI features (" + std::to_string(input.size(1)) + " channels) and context (" +
        std::to_string(feat.size(1)) +
        ") do not add up to in_channels=" + std::to_string(options.in_channels()));
  torch::Tensor x = std::get<0>(torch::adaptive_max_pool3d(input, {1, 1, 1}));
  const int64_t h = feat.size(-2), w = feat.size(-1);
  torch::Tensor tile = x.repeat({1, 1, 1, h, w});
  torch::Tensor inds = rois.select(1, 0).to(feat.device(), torch::kLong);
  torch::Tensor out = torch::cat({tile, feat.index_select(0, inds)}, 1);
  out = conv1->forward(out);
  out = conv2->forward(out);
  for (const auto& m : *convs) out = m->as<ConvModuleImpl>()->forward(out);
  return out;
}

}  // namespace tubelet
