// MMAction2's Recognizer3D (test path): each clip through the 3D backbone and head, then
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
  torch::Tensor clip_scores(const torch::Tensor& imgs) override { return forward_dummy(imgs); }
};
TORCH_MODULE(Recognizer3D);

}  // namespace tubelet
