// MMAction2's PoseCompact(padding=0.25, threshold=10, hw_ratio=None, allow_imgpad=True): finds
// the tight box around every non-zero keypoint of every person and frame, expands it by
// `padding` (and to hw_ratio, a float or a (min, max) pair of h/w ratios), and moves the
// keypoints into that box. A box narrower or lower than `threshold` leaves the sample as it
// is. allow_imgpad=False clips the box to the image. NaN keypoints become 0 first.
// Reads img_shape, keypoint, crop_quadruple; writes img_shape, keypoint and crop_quadruple (a
// tuple of Python floats, as _combine_quadruple makes it).
#pragma once

#include <optional>
#include <utility>

#include "tubelet/data/transform.h"

namespace tubelet {

class PoseCompact : public Transform {
 public:
  PoseCompact(double padding, double threshold, std::optional<std::pair<double, double>> hw_ratio,
              bool allow_imgpad)
      : padding_(padding),
        threshold_(threshold),
        hw_ratio_(hw_ratio),
        allow_imgpad_(allow_imgpad) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "PoseCompact"; }

 private:
  double padding_;
  double threshold_;
  std::optional<std::pair<double, double>> hw_ratio_;
  bool allow_imgpad_;
};

}  // namespace tubelet
