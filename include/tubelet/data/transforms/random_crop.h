// MMAction2's RandomCrop(size, lazy=False): a size x size crop at a random offset.
// Reads img_shape (or the first frame's shape), imgs, crop_quadruple; writes imgs,
// img_shape, crop_bbox, crop_quadruple, and crops gt_bboxes/proposals/keypoint tensors.
// As MMAction2 (np.random.randint's exclusive bound) the offset is drawn from
// [0, img_h - size) and [0, img_w - size), so the last position is never chosen.
#pragma once

#include "tubelet/data/transform.h"

namespace tubelet {

class RandomCrop : public Transform {
 public:
  explicit RandomCrop(int64_t size) : size_(size) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "RandomCrop"; }

 private:
  int64_t size_;
};

}  // namespace tubelet
