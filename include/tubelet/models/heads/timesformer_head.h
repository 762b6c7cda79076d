// MMAction2's TimeSformerHead: fc_cls on the backbone's class token.
#pragma once

#include "tubelet/models/head.h"

namespace tubelet {

struct TimeSformerHeadOptions {
  TimeSformerHeadOptions(int64_t num_classes, int64_t in_channels)
      : num_classes_(num_classes), in_channels_(in_channels) {}
  TORCH_ARG(int64_t, num_classes);
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(double, init_std) = 0.02;
};

class TimeSformerHeadImpl : public Head {
 public:
  TimeSformerHeadImpl(const TimeSformerHeadOptions& options, std::shared_ptr<Loss> loss_cls,
                      HeadLossOptions loss_options);
  // x [N, in_channels] -> [N, num_classes]; num_segs is not used.
  torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) override;

  TimeSformerHeadOptions options;
};
TORCH_MODULE(TimeSformerHead);

}  // namespace tubelet
