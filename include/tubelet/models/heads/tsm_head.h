// MMAction2's TSMHead: per-frame classification (avg pool, dropout, fc_cls), then the
// average over the `num_segments` frames of each clip.
#pragma once

#include "tubelet/models/head.h"

namespace tubelet {

struct TSMHeadOptions {
  TSMHeadOptions(int64_t num_classes, int64_t in_channels)
      : num_classes_(num_classes), in_channels_(in_channels) {}
  TORCH_ARG(int64_t, num_classes);
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, num_segments) = 8;
  TORCH_ARG(std::string, spatial_type) = "avg";
  TORCH_ARG(int64_t, consensus_dim) = 1;
  TORCH_ARG(double, dropout_ratio) = 0.8;
  TORCH_ARG(double, init_std) = 0.001;
  TORCH_ARG(bool, is_shift) = true;
  TORCH_ARG(bool, temporal_pool) = false;
};

class TSMHeadImpl : public Head {
 public:
  TSMHeadImpl(const TSMHeadOptions& options, std::shared_ptr<Loss> loss_cls,
              HeadLossOptions loss_options);
  // `num_segs` is not used: MMAction2's TSMHead groups by its own num_segments.
  torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) override;

  TSMHeadOptions options;
};
TORCH_MODULE(TSMHead);

}  // namespace tubelet
