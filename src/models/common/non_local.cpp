#include "tubelet/models/common/non_local.h"

#include <torch/nn/modules/pooling.h>
#include <torch/torch.h>

#include <cmath>

#include "tubelet/models/weight_init.h"

namespace tubelet {

namespace {

Value conv_type(int64_t dims) {
  Dict d;
  d.set("type", Value("Conv" + std::to_string(dims) + "d"));
  return Value(d);
}

// NonLocal1d/2d/3d's pooling when sub_sample: 2 over the spatial dimensions only.
torch::nn::AnyModule make_pool_non_local(int64_t dims) {
  if (dims == 1) return torch::nn::AnyModule(torch::nn::MaxPool1d(2));
  if (dims == 2) return torch::nn::AnyModule(torch::nn::MaxPool2d(2));
  return torch::nn::AnyModule(torch::nn::MaxPool3d(torch::nn::MaxPool3dOptions({1, 2, 2})));
}

}  // namespace

NonLocalOptions NonLocalOptions::from_config(Args& args, int64_t in_channels) {
  NonLocalOptions o(in_channels);
  o.reduction(args.get<int64_t>("reduction", 2))
      .use_scale(args.get("use_scale", true))
      .conv_cfg(args.get("conv_cfg", Value()))
      .norm_cfg(args.get("norm_cfg", Value()))
      .mode(args.get("mode", "embedded_gaussian"))
      .sub_sample(args.get("sub_sample", false))
      .std(args.get("std", 0.01))
      .zeros_init(args.get("zeros_init", true))
      .path(args.path());
  return o;
}

NonLocalImpl::NonLocalImpl(int64_t dims, const NonLocalOptions& o)
    : options(o),
      dims_(dims),
      inter_channels_(std::max<int64_t>(o.in_channels() / o.reduction(), 1)) {
  const std::string& mode = o.mode();
  if (mode != "gaussian" && mode != "embedded_gaussian" && mode != "dot_product" &&
      mode != "concatenation")
    throw ConfigError(o.path() +
                      ": mode should be in 'gaussian', 'concatenation', 'embedded_gaussian' or "
                      "'dot_product', but got '" +
                      mode + "' instead");
  if (o.conv_cfg().is_none()) options.conv_cfg(conv_type(dims));
  g_ = conv(o.in_channels(), inter_channels_, Value(), "g");
  conv_out_ = conv(inter_channels_, o.in_channels(), o.norm_cfg(), "conv_out");
  if (mode != "gaussian") {
    theta_ = conv(o.in_channels(), inter_channels_, Value(), "theta");
    phi_ = conv(o.in_channels(), inter_channels_, Value(), "phi");
  }
  if (mode == "concatenation") {
    Dict relu;
    relu.set("type", Value("ReLU"));
    concat_project_ = ConvModule(ConvModuleOptions(inter_channels_ * 2, 1, {1})
                                     .bias("false")
                                     .act_cfg(Value(relu))
                                     .path(o.path() + ".concat_project"));
  }
  // mmcv's init_weights, run before the sub-sampling wraps g and phi.
  for (const ConvModule& m : {g_, theta_, phi_})
    if (m) normal_init(*m->conv(), 0, o.std());
  auto& out_layer = conv_out_->with_norm() ? *conv_out_->norm() : *conv_out_->conv();
  if (o.zeros_init())
    constant_init(out_layer, 0);
  else
    normal_init(out_layer, 0, o.std());
  register_in_mmcv_order(o.sub_sample(), dims);
}

// The state_dict order of mmcv's NonLocal: g, conv_out, theta, phi, concat_project, in the
// order its __init__ assigns them; sub-sampling wraps g and phi in place, and in gaussian mode
// (no phi conv) appends the pooling as phi.
void NonLocalImpl::register_in_mmcv_order(bool sub_sample, int64_t dims) {
  if (sub_sample) pool_ = make_pool_non_local(dims);
  if (sub_sample)
    g_pooled_ = register_module("g", torch::nn::Sequential(g_, pool_));
  else
    register_module("g", g_);
  register_module("conv_out", conv_out_);
  if (theta_) register_module("theta", theta_);
  if (phi_ && sub_sample)
    phi_pooled_ = register_module("phi", torch::nn::Sequential(phi_, pool_));
  else if (phi_)
    register_module("phi", phi_);
  if (concat_project_) register_module("concat_project", concat_project_);
  if (!phi_ && sub_sample) register_module("phi", pool_.ptr());
}

ConvModule NonLocalImpl::conv(int64_t in, int64_t out, const Value& norm_cfg,
                              const std::string& name) {
  return ConvModule(ConvModuleOptions(in, out, {1})
                        .conv_cfg(options.conv_cfg())
                        .norm_cfg(norm_cfg)
                        .act_cfg(Value())
                        .path(options.path() + "." + name));
}

torch::Tensor NonLocalImpl::forward(const torch::Tensor& x) {
  int64_t n = x.size(0);
  torch::Tensor g_x = (g_pooled_ ? g_pooled_->forward(x) : g_->forward(x))
                          .view({n, inter_channels_, -1})
                          .permute({0, 2, 1});
  torch::Tensor theta_x, phi_x;
  const std::string& mode = options.mode();
  if (mode == "gaussian") {
    theta_x = x.view({n, options.in_channels(), -1}).permute({0, 2, 1});
    phi_x = (options.sub_sample() ? pool_.forward(x) : x).view({n, options.in_channels(), -1});
  } else {
    torch::Tensor phi_out = phi_pooled_ ? phi_pooled_->forward(x) : phi_->forward(x);
    if (mode == "concatenation") {
      theta_x = theta_->forward(x).view({n, inter_channels_, -1, 1});
      phi_x = phi_out.view({n, inter_channels_, 1, -1});
    } else {
      theta_x = theta_->forward(x).view({n, inter_channels_, -1}).permute({0, 2, 1});
      phi_x = phi_out.view({n, inter_channels_, -1});
    }
  }
  torch::Tensor weight = pairwise(theta_x, phi_x);
  std::vector<int64_t> shape{n, inter_channels_};
  for (int64_t d = 2; d < x.dim(); ++d) shape.push_back(x.size(d));
  torch::Tensor y = torch::matmul(weight, g_x).permute({0, 2, 1}).contiguous().reshape(shape);
  return x + conv_out_->forward(y);
}

torch::Tensor NonLocalImpl::pairwise(const torch::Tensor& theta_x, const torch::Tensor& phi_x) {
  const std::string& mode = options.mode();
  if (mode == "concatenation") return concatenation(theta_x, phi_x);
  torch::Tensor w = torch::matmul(theta_x, phi_x);
  if (mode == "gaussian") return w.softmax(-1);
  if (mode == "dot_product") return w / w.size(-1);
  if (options.use_scale()) w = w / std::sqrt(static_cast<double>(theta_x.size(-1)));
  return w.softmax(-1);
}

torch::Tensor NonLocalImpl::concatenation(const torch::Tensor& theta_x,
                                          const torch::Tensor& phi_x) {
  int64_t h = theta_x.size(2), w = phi_x.size(3);
  torch::Tensor both = torch::cat({theta_x.repeat({1, 1, 1, w}), phi_x.repeat({1, 1, h, 1})}, 1);
  torch::Tensor weight = concat_project_->forward(both);
  weight = weight.view({weight.size(0), weight.size(2), weight.size(3)});
  return weight / weight.size(-1);
}

}  // namespace tubelet
