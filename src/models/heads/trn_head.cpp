#include "tubelet/models/heads/trn_head.h"

#include <stdexcept>

#include "tubelet/models/heads/base_head.h"
#include "tubelet/models/registries.h"

namespace tubelet {

namespace {

std::shared_ptr<TRNRelation> make_relation(const TRNHeadOptions& o) {
  TRNRelationOptions r(o.hidden_dim(), o.num_segments(), o.num_classes());
  if (o.relation_type() == "TRN") return std::make_shared<RelationModuleImpl>(r);
  if (o.relation_type() == "TRNMultiScale")
    return std::make_shared<RelationModuleMultiScaleImpl>(r);
  throw std::invalid_argument("TRNHead: unknown relation_type '" + o.relation_type() +
                              "' (expected 'TRN' or 'TRNMultiScale')");
}

}  // namespace

TRNHeadImpl::TRNHeadImpl(const TRNHeadOptions& o, std::shared_ptr<Loss> loss,
                         HeadLossOptions loss_options)
    : options(o) {
  set_loss(std::move(loss), std::move(loss_options));
  // Registered before dropout and fc_cls: MMAction2's attribute order, hence its key order.
  consensus = register_module("consensus", make_relation(o));
  set_classifier(o.in_channels(), o.hidden_dim(), o.dropout_ratio(), o.init_std());
}

torch::Tensor TRNHeadImpl::forward_scores(const torch::Tensor& input, int64_t /*num_segs*/) {
  torch::Tensor x = input;  // [N * num_segments, in_channels, H, W]
  if (options.spatial_type() == "avg") x = torch::adaptive_avg_pool2d(x, {1, 1});
  torch::Tensor feats = classify(x);  // [N * num_segments, hidden_dim]
  TORCH_CHECK(feats.size(0) % options.num_segments() == 0, "TRNHead: ", feats.size(0),
              " frames do not split into clips of num_segments=", options.num_segments());
  feats = feats.view({-1, options.num_segments(), feats.size(1)});
  return consensus->forward(feats);  // [N, num_classes]
}

namespace {

std::shared_ptr<Head> build_trn_head(Args& args) {
  TRNHeadOptions o(args.required<int64_t>("num_classes"), args.required<int64_t>("in_channels"));
  o.num_segments(args.get<int64_t>("num_segments", 8))
      .spatial_type(args.get<std::optional<std::string>>("spatial_type", "avg").value_or(""))
      .relation_type(args.get("relation_type", "TRNMultiScale"))
      .hidden_dim(args.get<int64_t>("hidden_dim", 256))
      .dropout_ratio(args.get("dropout_ratio", 0.8))
      .init_std(args.get("init_std", 0.001));
  if (o.relation_type() != "TRN" && o.relation_type() != "TRNMultiScale")
    throw args.error("relation_type",
                     "argument 'relation_type' must be 'TRN' or 'TRNMultiScale', got '" +
                         o.relation_type() + "'");
  int64_t min_segments = o.relation_type() == "TRN" ? 1 : 2;
  if (o.num_segments() < min_segments)
    throw args.error("num_segments", "argument 'num_segments' must be at least " +
                                         std::to_string(min_segments) + " for relation_type '" +
                                         o.relation_type() + "', got " +
                                         std::to_string(o.num_segments()));
  if (o.hidden_dim() < 1) throw args.error("hidden_dim", "argument 'hidden_dim' must be positive");
  return std::make_shared<TRNHeadImpl>(o, read_head_loss(args), read_head_loss_options(args));
}

}  // namespace

TUBELET_REGISTER(HEADS, TRNHead, build_trn_head);

}  // namespace tubelet
