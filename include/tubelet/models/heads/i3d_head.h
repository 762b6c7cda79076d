// MMAction2's I3DHead: 3D average pooling, dropout, fc_cls.
#pragma once

#include "tubelet/models/head.h"

namespace tubelet {

struct I3DHeadOptions {
  I3DHeadOptions(int64_t num_classes, int64_t in_channels)
      : num_classes_(num_classes), in_channels_(in_channels) {}
  TORCH_ARG(int64_t, num_classes);
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(std::string, spatial_type) = "avg";
  TORCH_ARG(double, dropout_ratio) = 0.5;
  TORCH_ARG(double, init_std) = 0.01;
};

class I3DHeadImpl : public Head {
 public:
  I3DHeadImpl(const I3DHeadOptions& options, std::shared_ptr<Loss> loss_cls,
              HeadLossOptions loss_options);
  // x [N, C, T, H, W] -> [N, num_classes]; num_segs is not used.
  torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) override;

  I3DHeadOptions options;
};
TORCH_MODULE(I3DHead);

}  // namespace tubelet
