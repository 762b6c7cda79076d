// MMAction2's Recognizer2D (test path): frames of every segment through the 2D backbone,
// the head's consensus over segments, then test_cfg's clip averaging.
#pragma once

#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet {

class Recognizer2DImpl : public BaseRecognizerImpl {
 public:
  using BaseRecognizerImpl::BaseRecognizerImpl;
  // imgs [N, num_segs, C, H, W] -> [N, num_classes].
  torch::Tensor forward_test(const torch::Tensor& imgs) override;
  torch::Tensor forward_dummy(const torch::Tensor& imgs) override;

 protected:
  torch::Tensor clip_scores(const torch::Tensor& imgs) override { return forward_dummy(imgs); }
};
TORCH_MODULE(Recognizer2D);

}  // namespace tubelet
