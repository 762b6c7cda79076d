// MMAction2's ThreeCrop(crop_size): three crops along the long side (one side of the crop
// must equal the frame's): left, right, middle (or top, bottom, middle), all frames of one
// crop before the next. Reads imgs; writes imgs (3x as many), crop_bbox (one [x1, y1, x2, y2]
// list per output frame) and img_shape. Boxes are not cropped (MMAction2 only warns).
#pragma once

#include <utility>

#include "tubelet/data/transform.h"

namespace tubelet {

class ThreeCrop : public Transform {
 public:
  explicit ThreeCrop(std::pair<int64_t, int64_t> crop_size) : crop_size_(crop_size) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "ThreeCrop"; }

 private:
  std::pair<int64_t, int64_t> crop_size_;  // (w, h)
};

}  // namespace tubelet
