// MMAction2's TSNHead: spatial average pooling, segment consensus (AvgConsensus), dropout,
// then the classifier fc_cls (checkpoint keys cls_head.fc_cls.weight/bias).
#pragma once

#include "tubelet/args.h"
#include "tubelet/models/head.h"

namespace tubelet {

struct TSNHeadOptions {
  TSNHeadOptions(int64_t num_classes, int64_t in_channels)
      : num_classes_(num_classes), in_channels_(in_channels) {}
  TORCH_ARG(int64_t, num_classes);
  TORCH_ARG(int64_t, in_channels);
  /// "avg" pools H and W away; anything else keeps them (MMAction2 then expects 1x1 input).
  TORCH_ARG(std::string, spatial_type) = "avg";
  /// AvgConsensus' dim; consensus=None-like types other than AvgConsensus are refused.
  TORCH_ARG(int64_t, consensus_dim) = 1;
  TORCH_ARG(double, dropout_ratio) = 0.4;
  TORCH_ARG(double, init_std) = 0.01;
};

class TSNHeadImpl : public Head {
 public:
  TSNHeadImpl(const TSNHeadOptions& options, std::shared_ptr<Loss> loss_cls,
              HeadLossOptions loss_options);
  torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) override;

  TSNHeadOptions options;
};
TORCH_MODULE(TSNHead);

}  // namespace tubelet
