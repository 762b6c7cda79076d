// MMAction2's SlowFastHead: average-pools the slow and the fast feature maps, concatenates
// them (fast channels first, as MMAction2's unpacking order gives), dropout, fc_cls.
#pragma once

#include "tubelet/models/head.h"

namespace tubelet {

struct SlowFastHeadOptions {
  SlowFastHeadOptions(int64_t num_classes, int64_t in_channels)
      : num_classes_(num_classes), in_channels_(in_channels) {}
  TORCH_ARG(int64_t, num_classes);
  TORCH_ARG(int64_t, in_channels);  // slow + fast channels
  TORCH_ARG(double, dropout_ratio) = 0.8;
  TORCH_ARG(double, init_std) = 0.01;
};

class SlowFastHeadImpl : public Head {
 public:
  SlowFastHeadImpl(const SlowFastHeadOptions& options, std::shared_ptr<Loss> loss_cls,
                   HeadLossOptions loss_options);
  // feats {slow [N, Cs, T, H, W], fast [N, Cf, T', H', W']} -> [N, num_classes].
  torch::Tensor forward_scores_from(const std::vector<torch::Tensor>& feats,
                                    int64_t num_segs) override;
  // One map is not enough: throws, naming the (slow, fast) input it needs.
  torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) override;

  SlowFastHeadOptions options;
};
TORCH_MODULE(SlowFastHead);

}  // namespace tubelet
