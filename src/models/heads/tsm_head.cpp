#include "tubelet/models/heads/tsm_head.h"

#include "tubelet/models/heads/base_head.h"
#include "tubelet/models/registries.h"

namespace tubelet {

TSMHeadImpl::TSMHeadImpl(const TSMHeadOptions& o, std::shared_ptr<Loss> loss,
                         HeadLossOptions loss_options)
    : options(o) {
  set_loss(std::move(loss), std::move(loss_options));
  set_classifier(o.in_channels(), o.num_classes(), o.dropout_ratio(), o.init_std());
}

torch::Tensor TSMHeadImpl::forward_scores(const torch::Tensor& input, int64_t /*num_segs*/) {
  torch::Tensor x = input;  // [N * num_segs, C, H, W]
  if (options.spatial_type() == "avg") x = torch::adaptive_avg_pool2d(x, {1, 1});
  torch::Tensor score = classify(x);  // [N * num_segs, num_classes]
  int64_t segments = options.is_shift() && options.temporal_pool() ? options.num_segments() / 2
                                                                   : options.num_segments();
  score = score.view({-1, segments, score.size(1)});
  return score.mean(options.consensus_dim(), /*keepdim=*/true).squeeze(1);  // [N, num_classes]
}

namespace {

std::shared_ptr<Head> build_tsm_head(Args& args) {
  TSMHeadOptions o(args.required<int64_t>("num_classes"), args.required<int64_t>("in_channels"));
  o.num_segments(args.get<int64_t>("num_segments", 8))
      .spatial_type(args.get<std::optional<std::string>>("spatial_type", "avg").value_or(""))
      .dropout_ratio(args.get("dropout_ratio", 0.8))
      .init_std(args.get("init_std", 0.001))
      .is_shift(args.get("is_shift", true))
      .temporal_pool(args.get("temporal_pool", false))
      .consensus_dim(read_avg_consensus_dim(args));
  return std::make_shared<TSMHeadImpl>(o, read_head_loss(args), read_head_loss_options(args));
}

}  // namespace

TUBELET_REGISTER(HEADS, TSMHead, build_tsm_head);

}  // namespace tubelet
