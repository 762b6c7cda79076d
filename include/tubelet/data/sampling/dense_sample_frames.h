// DenseSampleFrames: SampleFrames whose clips start together inside a `sample_range` window
// (one random window in training, `num_sample_positions` evenly spread ones in test mode).
#pragma once

#include "tubelet/data/sampling/sample_frames.h"

namespace tubelet {

class DenseSampleFrames : public SampleFrames {
 public:
  DenseSampleFrames(SampleFramesOptions options, int64_t sample_range,
                    int64_t num_sample_positions);
  std::string type() const override { return "DenseSampleFrames"; }
  std::vector<double> train_clips(int64_t num_frames, Sample& sample) const override;
  std::vector<double> test_clips(int64_t num_frames) const override;

  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  int64_t sample_range_;
  int64_t num_sample_positions_;
};

}  // namespace tubelet
