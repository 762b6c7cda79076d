// MMAction2's ResNet2Plus1d: ResNet3d built with conv_cfg=dict(type='Conv2plus1d') (each
// 3D conv factored into a spatial and a temporal one); its forward runs conv1, maxpool and
// every stage, without pool2, and returns the last stage's map whatever out_indices says.
#pragma once

#include "tubelet/models/backbones/resnet3d.h"

namespace tubelet {

class ResNet2Plus1dImpl : public ResNet3dImpl {
 public:
  explicit ResNet2Plus1dImpl(const ResNet3dOptions& options);
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;
};
TORCH_MODULE(ResNet2Plus1d);

}  // namespace tubelet
