// UniformSampleFrames (MMAction2 0.24.1, pipelines/pose_loading.py): splits the video into
// clip_len segments and takes one frame from each (fewer frames than clip_len: a looped run
// from a random start; up to twice clip_len: every frame once plus random repeats). Writes
// frame_inds (modulo total_frames, plus start_index), clip_len, frame_interval (None) and
// num_clips. Test mode reseeds with `seed` for every sample, as MMAction2's np.random.seed(seed)
// does, and draws numpy's legacy stream: its indices equal MMAction2's exactly. Train mode
// (num_clips must be 1) makes the same kind of draws from the sample's generator.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/numpy_random.h"
#include "tubelet/data/transform.h"

namespace tubelet {

struct UniformSampleFramesOptions {
  int64_t clip_len = 0;
  int64_t num_clips = 1;
  bool test_mode = false;
  int64_t seed = 255;
};

class UniformSampleFrames : public Transform {
 public:
  explicit UniformSampleFrames(UniformSampleFramesOptions options);
  void apply(Sample& sample) override;
  std::string type() const override { return "UniformSampleFrames"; }
  const UniformSampleFramesOptions& options() const { return options_; }

  // The indices before the modulo and start_index: MMAction2's _get_test_clips (after
  // np.random.seed(seed)) and _get_train_clips (drawing from `random`).
  std::vector<int64_t> test_clips(int64_t num_frames) const;
  std::vector<int64_t> train_clips(int64_t num_frames, NumpyRandom& random) const;

  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  std::vector<int64_t> clip(int64_t num_frames, NumpyRandom& random) const;
  UniformSampleFramesOptions options_;
};

}  // namespace tubelet
