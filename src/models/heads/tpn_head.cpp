#include "tubelet/models/heads/tpn_head.h"

#include <sstream>

#include "tubelet/models/heads/base_head.h"
#include "tubelet/models/registries.h"

namespace tubelet {

namespace {
std::string shape_of_tpn_head(const torch::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}
}  // namespace

torch::Tensor TPNHeadImpl::forward_scores(const torch::Tensor& input, int64_t num_segs) {
  torch::Tensor x = input;
  if (x.dim() == 5) {  // MMAction2's num_segs=None path: AdaptiveAvgPool3d(1)
    if (options.spatial_type() != "avg")
      throw std::invalid_argument(
          "TPNHead: a 5-D feature map needs spatial_type 'avg' (MMAction2 has no avg_pool3d "
          "otherwise)");
    return classify(torch::adaptive_avg_pool3d(x, {1, 1, 1}));
  }
  if (x.dim() != 4)
    throw std::invalid_argument("TPNHead expects [N, C, T, H, W] or [N * num_segs, C, H, W], got " +
                                shape_of_tpn_head(x));
  // MMAction2 pools H and W whatever spatial_type says on this path.
  x = torch::adaptive_avg_pool2d(x, {1, 1});
  x = x.reshape({-1, num_segs, x.size(1), 1, 1});
  x = x.mean(options.consensus_dim(), /*keepdim=*/true).squeeze(1);
  return classify(x);
}

torch::Tensor TPNHeadImpl::forward_fcn(const torch::Tensor& input) {
  if (input.dim() != 5)
    throw std::invalid_argument("TPNHead fcn test expects [N, C, T, H, W], got " +
                                shape_of_tpn_head(input));
  torch::Tensor x = input;
  if (options.spatial_type() == "avg") x = torch::adaptive_avg_pool3d(x, {1, 1, 1});
  auto params = named_parameters();
  const torch::Tensor& w = params["fc_cls.weight"];
  return torch::conv3d(x, w.view({w.size(0), w.size(1), 1, 1, 1}), params["fc_cls.bias"]);
}

namespace {

std::shared_ptr<Head> build_tpn_head(Args& args) {
  TSNHeadOptions o(args.required<int64_t>("num_classes"), args.required<int64_t>("in_channels"));
  o.spatial_type(args.get<std::optional<std::string>>("spatial_type", "avg").value_or(""))
      .dropout_ratio(args.get("dropout_ratio", 0.4))
      .init_std(args.get("init_std", 0.01));
  o.consensus_dim(read_avg_consensus_dim(args));
  return std::make_shared<TPNHeadImpl>(o, read_head_loss(args), read_head_loss_options(args));
}

}  // namespace

TUBELET_REGISTER(HEADS, TPNHead, build_tpn_head);

}  // namespace tubelet
