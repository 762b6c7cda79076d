// MMAction2's RandomResizedCrop(area_range=(0.08, 1.0), aspect_ratio_range=(3/4, 4/3),
// lazy=False): a crop of random area and log-uniform aspect ratio (10 tries, then the
// centred square of the short side). It does not resize: a Resize follows in the configs.
// Reads img_shape, imgs, crop_quadruple; writes imgs, img_shape, crop_bbox, crop_quadruple
// (and crops gt_bboxes/proposals/keypoint).
#pragma once

#include <array>
#include <utility>

#include "tubelet/data/transform.h"

namespace tubelet {

class RandomResizedCrop : public Transform {
 public:
  RandomResizedCrop(std::pair<double, double> area_range,
                    std::pair<double, double> aspect_ratio_range)
      : area_range_(area_range), aspect_ratio_range_(aspect_ratio_range) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "RandomResizedCrop"; }

  // get_crop_bbox: (left, top, right, bottom), candidates drawn as numpy does (all aspect
  // ratios, then all areas; sizes rounded half to even).
  static std::array<int64_t, 4> crop_bbox(Sample& sample, int64_t img_h, int64_t img_w,
                                          std::pair<double, double> area_range,
                                          std::pair<double, double> aspect_ratio_range,
                                          int max_attempts = 10);

 private:
  std::pair<double, double> area_range_;
  std::pair<double, double> aspect_ratio_range_;
};

}  // namespace tubelet
