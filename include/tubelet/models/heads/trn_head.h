// MMAction2's TRNHead (Temporal Relation Network): per-frame features (avg pool, dropout,
// fc_cls to hidden_dim), grouped by the head's own num_segments, then a relation module as
// "consensus" gives the class scores.
#pragma once

#include <memory>
#include <string>

#include "tubelet/models/head.h"
#include "tubelet/models/heads/trn_relation.h"

namespace tubelet {

struct TRNHeadOptions {
  TRNHeadOptions(int64_t num_classes, int64_t in_channels)
      : num_classes_(num_classes), in_channels_(in_channels) {}
  TORCH_ARG(int64_t, num_classes);
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, num_segments) = 8;
  /// "avg" pools H and W away; anything else keeps them (MMAction2 then expects 1x1 input).
  TORCH_ARG(std::string, spatial_type) = "avg";
  /// "TRN" (RelationModule) or "TRNMultiScale" (RelationModuleMultiScale).
  TORCH_ARG(std::string, relation_type) = "TRNMultiScale";
  TORCH_ARG(int64_t, hidden_dim) = 256;
  TORCH_ARG(double, dropout_ratio) = 0.8;
  /// Only fc_cls: the relation modules keep PyTorch's default Linear init, as in MMAction2.
  TORCH_ARG(double, init_std) = 0.001;
};

class TRNHeadImpl : public Head {
 public:
  TRNHeadImpl(const TRNHeadOptions& options, std::shared_ptr<Loss> loss_cls,
              HeadLossOptions loss_options);
  // `num_segs` is not used: MMAction2's TRNHead groups by its own num_segments, so a batch
  // of several clips or crops per video comes out as several rows per video.
  torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) override;

  TRNHeadOptions options;
  std::shared_ptr<TRNRelation> consensus;
};
TORCH_MODULE(TRNHead);

}  // namespace tubelet
