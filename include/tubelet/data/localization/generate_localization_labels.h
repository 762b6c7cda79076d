// GenerateLocalizationLabels: results' annotations' segments (seconds) as gt_bbox, a float64
// [num_annotations, 2] tensor of start/end relative to the duration the features cover,
// clamped to [0, 1].
#pragma once

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class GenerateLocalizationLabels : public Transform {
 public:
  void apply(Sample& sample) override;
  std::string type() const override { return "GenerateLocalizationLabels"; }
  static std::shared_ptr<Transform> from_config(Args& args);
};

}  // namespace tubelet
