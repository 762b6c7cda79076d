// MMAction2's Normalize(mean, std, to_bgr=False, adjust_magnitude=False).
// RGB: frames H x W x C become float32 (x - mean[c]) / std[c] computed in float32 (what
//   mmcv's imnormalize_ gives for uint8 input; checked against MMAction2 on every value),
//   channels first swapped RGB -> BGR when to_bgr.
// Flow: frames come as x, y, x, y, ... (H x W each); pairs become one H x W x 2 float32 frame
//   ((x - mean[0]) / std[0], (y - mean[1]) / std[1]), times scale_factor[0] and [1] when
//   adjust_magnitude.
// Reads modality, imgs (and scale_factor for Flow with adjust_magnitude); writes imgs and
// img_norm_cfg = {mean, std, to_bgr[, adjust_magnitude]} (mean and std as float32 lists).
#pragma once

#include <vector>

#include "tubelet/data/transform.h"

namespace tubelet {

class Normalize : public Transform {
 public:
  Normalize(std::vector<float> mean, std::vector<float> std, bool to_bgr, bool adjust_magnitude)
      : mean_(std::move(mean)),
        std_(std::move(std)),
        to_bgr_(to_bgr),
        adjust_magnitude_(adjust_magnitude) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "Normalize"; }

 private:
  void apply_rgb(Sample& sample) const;
  void apply_flow(Sample& sample) const;

  std::vector<float> mean_, std_;
  bool to_bgr_, adjust_magnitude_;
};

}  // namespace tubelet
