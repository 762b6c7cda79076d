// PoseNormalize (MMAction2 0.24.1, pipelines/pose_loading.py): keypoint (C x T x V x M, after
// FormatGCNInput) becomes (keypoint - mean) / (max_value - min_value), per channel, in
// float32 as numpy computes it; keypoint_norm_cfg = dict(mean, min_value, max_value) records
// the float32 values (as flat lists; MMAction2 keeps C x 1 x 1 x 1 arrays).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

struct PoseNormalizeOptions {
  std::vector<float> mean{960.f, 540.f, 0.5f};
  std::vector<float> min_value{0.f, 0.f, 0.f};
  std::vector<float> max_value{1920.f, 1080.f, 1.f};
};

class PoseNormalize : public Transform {
 public:
  explicit PoseNormalize(PoseNormalizeOptions options);
  void apply(Sample& sample) override;
  std::string type() const override { return "PoseNormalize"; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  PoseNormalizeOptions options_;
};

}  // namespace tubelet
