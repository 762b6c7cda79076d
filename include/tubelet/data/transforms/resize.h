// MMAction2's Resize(scale, keep_ratio=True, interpolation='bilinear', lazy=False) and the
// resize it shares with RandomRescale.
//   scale: a float (a factor; keep_ratio must be True) or a tuple: with keep_ratio the frames
//   are made as large as fits (long side <= max(scale), short side <= min(scale)); -1 in the
//   tuple leaves the long side free, so (-1, 256) sets the short side to 256; without
//   keep_ratio the tuple is (w, h). Sizes round as mmcv's rescale_size: int(w * f + 0.5).
//   interpolation: mmcv's names for cv2.resize's modes (nearest, bilinear, bicubic, area,
//   lanczos).
// Reads img_shape (or the first frame's), imgs, scale_factor; writes imgs, img_shape (tuple),
// keep_ratio, scale_factor (float32 [w, h] factors times the previous ones), and scales the
// gt_bboxes/proposals/keypoint tensors.
#pragma once

#include <string>

#include "tubelet/data/transform.h"

namespace tubelet {

struct ResizeScale {
  bool is_factor = false;
  double factor = 1;             // when is_factor
  double first = 0, second = 0;  // the tuple, with -1 already replaced by inf
};

// The new (w, h) of an img_w x img_h frame, as Resize computes it.
std::pair<int64_t, int64_t> resize_target(const ResizeScale& scale, bool keep_ratio, int64_t img_w,
                                          int64_t img_h);
// Resizes the sample's frames (and boxes, keypoints) to new_w x new_h; `interpolation` is
// one of mmcv's names.
void resize_sample(Sample& sample, int64_t new_w, int64_t new_h, bool keep_ratio,
                   const std::string& interpolation, const std::string& who);
// mmcv's cv2_interp_codes; throws std::invalid_argument naming the accepted ones.
int interpolation_code(const std::string& name);

class Resize : public Transform {
 public:
  Resize(ResizeScale scale, bool keep_ratio, std::string interpolation)
      : scale_(scale), keep_ratio_(keep_ratio), interpolation_(std::move(interpolation)) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "Resize"; }

 private:
  ResizeScale scale_;
  bool keep_ratio_;
  std::string interpolation_;
};

}  // namespace tubelet
