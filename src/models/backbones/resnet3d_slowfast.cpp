#include "tubelet/models/backbones/resnet3d_slowfast.h"

#include <torch/nn/functional/upsampling.h>

#include <iostream>

#include "tubelet/fileio/model_cache.h"
#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"

namespace tubelet {

ResNet3dPathwayImpl::ResNet3dPathwayImpl(const ResNet3dOptions& o) : ResNet3dImpl(o, false) {
  pathway_inflation_ = true;
  if (o.lateral()) {
    // Each lateral maps the fast pathway's channels (a channel_ratio-th of the slow one's)
    // to twice that, subsampling time by speed_ratio; none after the last stage.
    auto lateral = [&](int64_t channels, const std::string& name) {
      ConvModuleOptions c(channels / o.channel_ratio(), channels * 2 / o.channel_ratio(),
                          {o.fusion_kernel(), 1, 1});
      c.stride({o.speed_ratio(), 1, 1})
          .padding({(o.fusion_kernel() - 1) / 2, 0, 0})
          .bias("false")
          .conv_cfg(o.conv_cfg())
          .norm_cfg(o.lateral_norm() ? o.norm_cfg() : Value())
          .act_cfg(o.lateral_norm() ? o.act_cfg() : Value())
          .path(o.path() + "." + name);
      laterals_.push_back(register_module(name, ConvModule(c)));
    };
    lateral(o.base_channels(), "conv1_lateral");
    for (int64_t i = 0; i + 1 < static_cast<int64_t>(res_layers().size()); ++i)
      lateral((o.base_channels() << i) * expansion(), "layer" + std::to_string(i + 1) + "_lateral");
  }
  init_weights();
}

ResNet3dOptions ResNet3dPathwayImpl::options_from_config(Args& args,
                                                         const ResNet3dOptions& defaults) {
  ResNet3dOptions o = ResNet3dOptions::from_config(args, defaults);
  o.lateral(args.get("lateral", defaults.lateral()))
      .lateral_norm(args.get("lateral_norm", defaults.lateral_norm()))
      .speed_ratio(args.get("speed_ratio", defaults.speed_ratio()))
      .channel_ratio(args.get("channel_ratio", defaults.channel_ratio()))
      .fusion_kernel(args.get("fusion_kernel", defaults.fusion_kernel()));
  return o;
}

torch::Tensor ResNet3dPathwayImpl::fuse(int64_t stage, const torch::Tensor& x_slow,
                                        const torch::Tensor& x_fast) {
  return torch::cat({x_slow, laterals_.at(static_cast<size_t>(stage + 1))(x_fast)}, 1);
}

void ResNet3dPathwayImpl::init_extra_weights() {
  for (auto& lateral : laterals_)
    for (auto& m : lateral->modules())
      if (m->as<torch::nn::Conv3d>() || m->as<torch::nn::Conv2d>()) kaiming_init(*m);
}

void ResNet3dPathwayImpl::train(bool on) {
  ResNet3dImpl::train(on);
  // Frozen stages freeze the lateral that follows them too.
  for (int64_t i = 1; i <= options.frozen_stages() && i < static_cast<int64_t>(laterals_.size());
       ++i) {
    laterals_[static_cast<size_t>(i)]->eval();
    for (auto& p : laterals_[static_cast<size_t>(i)]->parameters()) p.set_requires_grad(false);
  }
}

namespace {

// The pathway defaults of ResNet3dSlowFast's signature.
ResNet3dOptions default_pathway(bool slow) {
  ResNet3dOptions o(50);
  if (slow)
    o.lateral(true).conv1_kernel({1, 7, 7}).inflate({{0}, {0}, {1}, {1}});
  else
    o.base_channels(8).conv1_kernel({5, 7, 7});
  return o;
}

ResNet3dOptions read_pathway(Args& args, const char* key, int64_t speed_ratio,
                             int64_t channel_ratio) {
  const Value* v = args.find(key);
  if (!v) return default_pathway(std::string(key) == "slow_pathway");
  Args p(*v, "ResNet3dPathway", args.path() + "." + key);
  std::string type = p.required<std::string>("type");
  if (type != "resnet3d")
    throw p.error("type", "Unrecognized pathway type " + type + " (only 'resnet3d')");
  // MMAction2 reads slow_pathway['lateral'] itself, so the slow pathway must give it.
  bool lateral =
      std::string(key) == "slow_pathway" ? p.required<bool>("lateral") : p.get("lateral", false);
  ResNet3dOptions o = ResNet3dPathwayImpl::options_from_config(p, ResNet3dOptions());
  // ResNet3dSlowFast overwrites a lateral pathway's ratios with its own.
  if (lateral) o.speed_ratio(speed_ratio).channel_ratio(channel_ratio);
  p.finish();
  return o;
}

}  // namespace

ResNet3dSlowFastOptions ResNet3dSlowFastOptions::from_config(Args& args) {
  ResNet3dSlowFastOptions o;
  o.pretrained(args.get<std::optional<std::string>>("pretrained", std::nullopt))
      .resample_rate(args.get<int64_t>("resample_rate", 8))
      .speed_ratio(args.get<int64_t>("speed_ratio", 8))
      .channel_ratio(args.get<int64_t>("channel_ratio", 8));
  if (std::string why = o.pretrained() ? checkpoint_name_problem(*o.pretrained()) : "";
      !why.empty())
    throw args.error("pretrained", "pretrained=" + why);
  if (o.resample_rate() < 1 || o.speed_ratio() < 1 || o.resample_rate() < o.speed_ratio())
    throw args.error("resample_rate",
                     "resample_rate and speed_ratio must be positive, resample_rate >= "
                     "speed_ratio");
  o.slow_pathway(read_pathway(args, "slow_pathway", o.speed_ratio(), o.channel_ratio()))
      .fast_pathway(read_pathway(args, "fast_pathway", o.speed_ratio(), o.channel_ratio()));
  return o;
}

ResNet3dSlowFastImpl::ResNet3dSlowFastImpl(const ResNet3dSlowFastOptions& o) : options(o) {
  ResNet3dOptions slow = o.slow_pathway(), fast = o.fast_pathway();
  if (slow.num_stages() != fast.num_stages())
    throw ConfigError(slow.path() + ": the slow and fast pathways need the same num_stages");
  slow_path = register_module("slow_path", ResNet3dPathway(slow));
  fast_path = register_module("fast_path", ResNet3dPathway(fast));
  if (o.pretrained()) {  // a SlowFast checkpoint, loaded strictly as MMAction2 does
    auto ckpt = checkpoint::load_checkpoint(*o.pretrained());
    checkpoint::load_state_dict(*this, ckpt.state_dict, /*strict=*/true);
  }
}

std::vector<torch::Tensor> ResNet3dSlowFastImpl::forward_features(const torch::Tensor& x) {
  slow_path->check_input(x, "ResNet3dSlowFast");
  namespace F = torch::nn::functional;
  auto resample = [&](int64_t rate) {
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .mode(torch::kNearest)
                                 .recompute_scale_factor(false)
                                 .scale_factor(std::vector<double>{1.0 / rate, 1.0, 1.0}));
  };
  // SlowFast applies maxpool whatever with_pool1 says, and never pool2.
  torch::Tensor x_slow =
      slow_path->stem_pool()(slow_path->stem_conv()(resample(options.resample_rate())));
  torch::Tensor x_fast = fast_path->stem_pool()(
      fast_path->stem_conv()(resample(options.resample_rate() / options.speed_ratio())));
  bool lateral = slow_path->options.lateral();
  if (lateral) x_slow = slow_path->fuse(-1, x_slow, x_fast);
  auto slow_layers = slow_path->res_layers();
  auto fast_layers = fast_path->res_layers();
  for (size_t i = 0; i < slow_layers.size(); ++i) {
    x_slow = slow_layers[i]->forward(x_slow);
    x_fast = fast_layers[i]->forward(x_fast);
    if (lateral && i + 1 != slow_layers.size())
      x_slow = slow_path->fuse(static_cast<int64_t>(i), x_slow, x_fast);
  }
  return {x_slow, x_fast};
}

namespace {
std::shared_ptr<Backbone> build_slowfast(Args& args) {
  return std::make_shared<ResNet3dSlowFastImpl>(ResNet3dSlowFastOptions::from_config(args));
}
}  // namespace

TUBELET_REGISTER(BACKBONES, ResNet3dSlowFast, build_slowfast);

}  // namespace tubelet
