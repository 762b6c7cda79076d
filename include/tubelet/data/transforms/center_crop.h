// MMAction2's CenterCrop(crop_size, lazy=False): crop_size is an int or (w, h); the crop
// starts at ((img_w - w) // 2, (img_h - h) // 2). Reads img_shape, imgs, crop_quadruple;
// writes imgs, img_shape, crop_bbox, crop_quadruple; crops gt_bboxes/proposals/keypoint.
// A crop larger than the frame is an error (numpy would silently slice a wrong window).
#pragma once

#include <utility>

#include "tubelet/data/transform.h"

namespace tubelet {

class CenterCrop : public Transform {
 public:
  explicit CenterCrop(std::pair<int64_t, int64_t> crop_size) : crop_size_(crop_size) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "CenterCrop"; }

 private:
  std::pair<int64_t, int64_t> crop_size_;  // (w, h)
};

}  // namespace tubelet
