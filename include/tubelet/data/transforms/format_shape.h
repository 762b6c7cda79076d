// MMAction2's FormatShape(input_format, collapse=False): stacks the frames (N x H x W x C, the
// frames' dtype: float32 after Normalize, uint8 without) and reorders them for the model:
//   NCHW       N H W C -> N C H W
//   NCTHW      (M x num_clips x clip_len) H W C -> (M * num_clips) C clip_len H W
//   NCHW_Flow  (M x num_clips x clip_len) H W C -> (M * num_clips) (clip_len * C) H W
//   NPTCHW     (num_proposals x num_clips * clip_len) H W C -> P T C H W
// collapse drops a leading 1 (num_clips must be 1).
// Reads imgs (frames, or an "imgs" tensor), num_clips, clip_len, num_proposals; writes the
// "imgs" tensor (contiguous; the frames are released) and input_shape (a tuple).
#pragma once

#include <string>

#include "tubelet/data/transform.h"

namespace tubelet {

class FormatShape : public Transform {
 public:
  FormatShape(std::string input_format, bool collapse)
      : input_format_(std::move(input_format)), collapse_(collapse) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "FormatShape"; }

 private:
  std::string input_format_;
  bool collapse_;
};

// The frames stacked as one N x H x W (x C) tensor of their dtype (uint8, float32, ...), as
// np.array(results['imgs']) makes them; throws when they differ in shape or type.
torch::Tensor stack_frames(const std::vector<cv::Mat>& frames, const std::string& who);

}  // namespace tubelet
