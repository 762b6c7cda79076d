// MMAction2's Recognizer3D: each clip through the 3D backbone (and neck) and head, then
// test_cfg's averaging over the clips of a video.
#pragma once

#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet {

class Recognizer3DImpl : public BaseRecognizerImpl {
 public:
  using BaseRecognizerImpl::BaseRecognizerImpl;
  // imgs [N, num_clips, C, T, H, W] -> [N, num_classes].
  torch::Tensor forward_test(const torch::Tensor& imgs) override;
  torch::Tensor forward_dummy(const torch::Tensor& imgs) override;

 protected:
  HeadInput head_input(const torch::Tensor& imgs, const torch::Tensor& target) override;
};
TORCH_MODULE(Recognizer3D);

}  // namespace tubelet
