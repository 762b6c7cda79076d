#include "tubelet/models/heads/timesformer_head.h"

#include <torch/torch.h>

#include "tubelet/models/common/trunc_normal.h"
#include "tubelet/models/heads/base_head.h"
#include "tubelet/models/registries.h"

namespace tubelet {

TimeSformerHeadImpl::TimeSformerHeadImpl(const TimeSformerHeadOptions& o,
                                         std::shared_ptr<Loss> loss, HeadLossOptions loss_options)
    : options(o) {
  set_loss(std::move(loss), std::move(loss_options));
  set_classifier(o.in_channels(), o.num_classes(), /*dropout_ratio=*/0, o.init_std());
  // mmcv's trunc_normal_init(fc_cls, std=init_std): truncated to [-2, 2], zero bias.
  auto params = named_parameters();
  trunc_normal_(params["fc_cls.weight"], 0, o.init_std());
  torch::NoGradGuard no_grad;
  params["fc_cls.bias"].zero_();
}

torch::Tensor TimeSformerHeadImpl::forward_scores(const torch::Tensor& x, int64_t /*num_segs*/) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == options.in_channels(),
              "TimeSformerHead expects [N, in_channels=", options.in_channels(), "], got ",
              x.sizes());
  return classify(x);
}

namespace {

std::shared_ptr<Head> build_timesformer_head(Args& args) {
  TimeSformerHeadOptions o(args.required<int64_t>("num_classes"),
                           args.required<int64_t>("in_channels"));
  o.init_std(args.get("init_std", 0.02));
  return std::make_shared<TimeSformerHeadImpl>(o, read_head_loss(args),
                                               read_head_loss_options(args));
}

}  // namespace

TUBELET_REGISTER(HEADS, TimeSformerHead, build_timesformer_head);

}  // namespace tubelet
