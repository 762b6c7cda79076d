// MMAction2's TenCrop(crop_size): the four corners and the centre (upper left, upper right,
// lower left, lower right, centre, on a grid of (img - crop) // 4 steps), each as all its
// frames followed by all of them flipped horizontally. Reads imgs; writes imgs (10x as many),
// crop_bbox (one list per output frame) and img_shape.
#pragma once

#include <utility>

#include "tubelet/data/transform.h"

namespace tubelet {

class TenCrop : public Transform {
 public:
  explicit TenCrop(std::pair<int64_t, int64_t> crop_size) : crop_size_(crop_size) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "TenCrop"; }

 private:
  std::pair<int64_t, int64_t> crop_size_;  // (w, h)
};

}  // namespace tubelet
