// MMAction2's Recognizer2D: frames of every segment through the 2D backbone, the head's
// consensus over segments, then test_cfg's clip averaging. With a neck, each map is first
// folded to [N, C, num_segs, H, W] and the neck's output has its T (1) squeezed.
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
  HeadInput head_input(const torch::Tensor& imgs, const torch::Tensor& target) override;

 private:
  // MMAction2's _do_fcn_test (test_cfg.fcn_test): TPNHead's classifier as a conv.
  torch::Tensor fcn_test(const torch::Tensor& imgs);
  int64_t fcn_num_segs() const;
};
TORCH_MODULE(Recognizer2D);

}  // namespace tubelet
