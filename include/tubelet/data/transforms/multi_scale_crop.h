// MMAction2's MultiScaleCrop(input_size, scales=(1,), max_wh_scale_gap=1, random_crop=False,
// num_fixed_crops=5, lazy=False): crop sides chosen among int(min(h, w) * scale) pairs whose
// scale levels differ by at most max_wh_scale_gap (a side within 2 pixels of input_size
// snaps to it), placed at random or at one of 5 or 13 fixed positions. No resize.
// Reads img_shape, imgs, crop_quadruple; writes imgs, img_shape, crop_bbox, crop_quadruple,
// scales (the tuple as configured); crops gt_bboxes/proposals/keypoint.
#pragma once

#include <utility>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class MultiScaleCrop : public Transform {
 public:
  MultiScaleCrop(std::pair<int64_t, int64_t> input_size, Value scales, int64_t max_wh_scale_gap,
                 bool random_crop, int64_t num_fixed_crops);
  void apply(Sample& sample) override;
  std::string type() const override { return "MultiScaleCrop"; }

 private:
  std::pair<int64_t, int64_t> input_size_;  // (w, h)
  Value scales_;
  std::vector<double> scale_values_;
  int64_t max_wh_scale_gap_;
  bool random_crop_;
  int64_t num_fixed_crops_;
};

}  // namespace tubelet
