#include "tubelet/models/heads/tsn_head.h"

#include "tubelet/models/heads/base_head.h"

#include "tubelet/models/registries.h"

namespace tubelet {

TSNHeadImpl::TSNHeadImpl(const TSNHeadOptions& o, std::shared_ptr<Loss> loss,
                         HeadLossOptions loss_options)
    : options(o) {
  set_loss(std::move(loss), std::move(loss_options));
  set_classifier(o.in_channels(), o.num_classes(), o.dropout_ratio(), o.init_std());
}

torch::Tensor TSNHeadImpl::forward_scores(const torch::Tensor& input, int64_t num_segs) {
  torch::Tensor x = input;  // [N * num_segs, C, H, W]
  if (options.spatial_type() == "avg") x = torch::adaptive_avg_pool2d(x, {1, 1});
  std::vector<int64_t> shape = {-1, num_segs};
  for (int64_t i = 1; i < x.dim(); ++i) shape.push_back(x.size(i));
  x = x.reshape(shape);                                   // [N, num_segs, C, 1, 1]
  x = x.mean(options.consensus_dim(), /*keepdim=*/true);  // AvgConsensus
  x = x.squeeze(1);                                       // [N, C, 1, 1]
  return classify(x);                                     // [N, num_classes]
}

namespace {

std::shared_ptr<Head> build_tsn_head(Args& args) {
  TSNHeadOptions o(args.required<int64_t>("num_classes"), args.required<int64_t>("in_channels"));
  // None (or anything but "avg") means no spatial pooling, as in MMAction2.
  o.spatial_type(args.get<std::optional<std::string>>("spatial_type", "avg").value_or(""))
      .dropout_ratio(args.get("dropout_ratio", 0.4))
      .init_std(args.get("init_std", 0.01));
  o.consensus_dim(read_avg_consensus_dim(args));
  return std::make_shared<TSNHeadImpl>(o, read_head_loss(args), read_head_loss_options(args));
}

}  // namespace

TUBELET_REGISTER(HEADS, TSNHead, build_tsn_head);

}  // namespace tubelet
