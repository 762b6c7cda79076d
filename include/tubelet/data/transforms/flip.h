// MMAction2's Flip(flip_ratio=0.5, direction='horizontal', flip_label_map=None, left_kp=None,
// right_kp=None, lazy=False): flips every frame with probability flip_ratio (one draw per
// sample). For Flow (modality 'Flow', horizontal only) every x-component frame (even index)
// is also inverted (255 - v), since a mirrored motion goes the other way. flip_label_map
// ({label: new_label}) relabels a flipped sample. Keypoints: x -> width - x where x != 0,
// left_kp/right_kp swapped; gt_bboxes/proposals mirrored (horizontal only).
// Reads modality, img_shape, imgs, label; writes flip (bool), flip_direction, imgs, label.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class Flip : public Transform {
 public:
  Flip(double flip_ratio, std::string direction, std::optional<Dict> flip_label_map,
       std::vector<int64_t> left_kp, std::vector<int64_t> right_kp)
      : flip_ratio_(flip_ratio),
        direction_(std::move(direction)),
        flip_label_map_(std::move(flip_label_map)),
        left_kp_(std::move(left_kp)),
        right_kp_(std::move(right_kp)) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "Flip"; }

 private:
  void flip_keypoints(Sample& sample, int64_t width) const;

  double flip_ratio_;
  std::string direction_;
  std::optional<Dict> flip_label_map_;
  std::vector<int64_t> left_kp_, right_kp_;
};

}  // namespace tubelet
