#include "tubelet/models/heads/slowfast_head.h"

#include <stdexcept>

#include "tubelet/models/heads/base_head.h"
#include "tubelet/models/registries.h"

namespace tubelet {

SlowFastHeadImpl::SlowFastHeadImpl(const SlowFastHeadOptions& o, std::shared_ptr<Loss> loss,
                                   HeadLossOptions loss_options)
    : options(o) {
  set_loss(std::move(loss), std::move(loss_options));
  set_classifier(o.in_channels(), o.num_classes(), o.dropout_ratio(), o.init_std());
}

torch::Tensor SlowFastHeadImpl::forward_scores_from(const std::vector<torch::Tensor>& feats,
                                                    int64_t /*num_segs*/) {
  if (feats.size() != 2 || feats[0].dim() != 5 || feats[1].dim() != 5)
    throw std::invalid_argument(
        "SlowFastHead expects two feature maps (slow [N, C, T, H, W], fast [N, C, T, H, W]) "
        "as ResNet3dSlowFast returns them, got " +
        std::to_string(feats.size()) + " map(s)");
  // MMAction2 unpacks (slow, fast) as `x_fast, x_slow` and concatenates (x_slow, x_fast):
  // the fast pathway's channels come first.
  torch::Tensor x = torch::cat({torch::adaptive_avg_pool3d(feats[1], {1, 1, 1}),
                                torch::adaptive_avg_pool3d(feats[0], {1, 1, 1})},
                               1);
  return classify(x);
}

torch::Tensor SlowFastHeadImpl::forward_scores(const torch::Tensor& x, int64_t num_segs) {
  return forward_scores_from({x}, num_segs);
}

namespace {

std::shared_ptr<Head> build_slowfast_head(Args& args) {
  SlowFastHeadOptions o(args.required<int64_t>("num_classes"),
                        args.required<int64_t>("in_channels"));
  auto spatial = args.get<std::optional<std::string>>("spatial_type", "avg");
  // MMAction2 calls avg_pool unconditionally: anything but 'avg' fails at its forward.
  if (spatial != "avg") throw args.error("spatial_type", "SlowFastHead needs spatial_type='avg'");
  o.dropout_ratio(args.get("dropout_ratio", 0.8)).init_std(args.get("init_std", 0.01));
  return std::make_shared<SlowFastHeadImpl>(o, read_head_loss(args), read_head_loss_options(args));
}

}  // namespace

TUBELET_REGISTER(HEADS, SlowFastHead, build_slowfast_head);

}  // namespace tubelet
