#include "tubelet/models/heads/i3d_head.h"

#include "tubelet/models/heads/base_head.h"
#include "tubelet/models/registries.h"

namespace tubelet {

I3DHeadImpl::I3DHeadImpl(const I3DHeadOptions& o, std::shared_ptr<Loss> loss,
                         HeadLossOptions loss_options)
    : options(o) {
  set_loss(std::move(loss), std::move(loss_options));
  set_classifier(o.in_channels(), o.num_classes(), o.dropout_ratio(), o.init_std());
}

torch::Tensor I3DHeadImpl::forward_scores(const torch::Tensor& input, int64_t /*num_segs*/) {
  torch::Tensor x = input;  // [N, C, T, H, W]
  if (options.spatial_type() == "avg") x = torch::adaptive_avg_pool3d(x, {1, 1, 1});
  return classify(x);
}

namespace {

std::shared_ptr<Head> build_i3d_head(Args& args) {
  I3DHeadOptions o(args.required<int64_t>("num_classes"), args.required<int64_t>("in_channels"));
  // None (or anything but "avg") means no spatial pooling, as in MMAction2.
  o.spatial_type(args.get<std::optional<std::string>>("spatial_type", "avg").value_or(""))
      .dropout_ratio(args.get("dropout_ratio", 0.5))
      .init_std(args.get("init_std", 0.01));
  return std::make_shared<I3DHeadImpl>(o, read_head_loss(args), read_head_loss_options(args));
}

}  // namespace

TUBELET_REGISTER(HEADS, I3DHead, build_i3d_head);

}  // namespace tubelet
