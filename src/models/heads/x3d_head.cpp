#include "tubelet/models/heads/x3d_head.h"

#include <sstream>
#include <stdexcept>

#include "tubelet/models/heads/base_head.h"
#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"

namespace tubelet {

X3DHeadImpl::X3DHeadImpl(const X3DHeadOptions& o, std::shared_ptr<Loss> loss,
                         HeadLossOptions loss_options)
    : options(o) {
  if (o.spatial_type() != "avg" && o.spatial_type() != "max")
    throw ConfigError("X3DHead: spatial_type must be 'avg' or 'max', got '" + o.spatial_type() +
                      "'");
  set_loss(std::move(loss), std::move(loss_options));
  if (o.dropout_ratio() != 0)
    dropout_ = register_module("dropout", torch::nn::Dropout(o.dropout_ratio()));
  fc1_ = register_module(
      "fc1", torch::nn::Linear(
                 torch::nn::LinearOptions(o.in_channels(), o.mid_channels()).bias(o.fc1_bias())));
  fc2_ = register_module("fc2", torch::nn::Linear(o.mid_channels(), o.num_classes()));
  normal_init(*fc1_, 0, o.init_std());
  normal_init(*fc2_, 0, o.init_std());
}

torch::Tensor X3DHeadImpl::forward_scores(const torch::Tensor& input, int64_t /*num_segs*/) {
  if (input.dim() != 5 || input.size(1) != options.in_channels()) {
    std::ostringstream msg;
    msg << "X3DHead expects features [N, in_channels, T, H, W] with in_channels = "
        << options.in_channels() << ", got " << input.sizes();
    throw std::invalid_argument(msg.str());
  }
  torch::Tensor x = options.spatial_type() == "avg"
                        ? torch::adaptive_avg_pool3d(input, {1, 1, 1})
                        : std::get<0>(torch::adaptive_max_pool3d(input, {1, 1, 1}));
  x = torch::relu(fc1_(x.view({x.size(0), -1})));
  if (dropout_) x = dropout_(x);
  return fc2_(x);
}

namespace {

std::shared_ptr<Head> build_x3d_head(Args& args) {
  X3DHeadOptions o(args.required<int64_t>("num_classes"), args.required<int64_t>("in_channels"));
  // Before any layer is made, as for the other heads (read_head_loss_options), which this one
  // does not use.
  if (o.num_classes() < 1)
    throw args.error("num_classes",
                     "num_classes must be positive, not " + std::to_string(o.num_classes()));
  if (o.in_channels() < 1)
    throw args.error("in_channels",
                     "in_channels must be positive, not " + std::to_string(o.in_channels()));
  o.spatial_type(args.get<std::optional<std::string>>("spatial_type", "avg").value_or("None"))
      .dropout_ratio(args.get("dropout_ratio", 0.5))
      .init_std(args.get("init_std", 0.01))
      .fc1_bias(args.get("fc1_bias", false));
  // X3DHead passes only num_classes, in_channels and loss_cls to BaseHead: multi_class,
  // label_smooth_eps and topk keep their defaults and are not arguments of this head.
  HeadLossOptions loss_options;
  loss_options.num_classes = o.num_classes();
  return std::make_shared<X3DHeadImpl>(o, read_head_loss(args), loss_options);
}

}  // namespace

TUBELET_REGISTER(HEADS, X3DHead, build_x3d_head);

}  // namespace tubelet
