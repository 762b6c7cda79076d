// MMAction2's TPNHead: TSNHead's classifier (cls_head.fc_cls) over a TPN's fused map. A 5-D
// map [N, C, T, H, W] (Recognizer3D: num_segs None) is averaged over T, H and W; a 4-D one
// [N * num_segs, C, H, W] (Recognizer2D after the neck squeezed T) over H and W, then over
// the segments. forward_fcn is MMAction2's fcn_test: fc_cls as a 1x1x1 Conv3d.
#pragma once

#include "tubelet/models/heads/tsn_head.h"

namespace tubelet {

class TPNHeadImpl : public TSNHeadImpl {
 public:
  using TSNHeadImpl::TSNHeadImpl;
  torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) override;
  // [N, C, T, H, W] -> [N, num_classes, 1, 1, 1] (spatial_type 'avg'; otherwise the
  // classifier is applied at every position).
  torch::Tensor forward_fcn(const torch::Tensor& x);
};
TORCH_MODULE(TPNHead);

}  // namespace tubelet
