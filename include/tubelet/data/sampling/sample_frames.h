// SampleFrames (MMAction2 0.24.1, pipelines/loading.py): picks `num_clips` clips of `clip_len`
// frames, `frame_interval` apart, and writes results' frame_inds, clip_len, frame_interval
// and num_clips. Test mode is deterministic (centred clips); train mode draws from sample.rng.
#pragma once

#include <torch/arg.h>

#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

struct SampleFramesOptions {
  TORCH_ARG(int64_t, clip_len) = 1;
  TORCH_ARG(int64_t, frame_interval) = 1;
  TORCH_ARG(int64_t, num_clips) = 1;
  TORCH_ARG(bool, temporal_jitter) = false;
  TORCH_ARG(bool, twice_sample) = false;
  TORCH_ARG(std::string, out_of_bound_opt) = "loop";
  TORCH_ARG(bool, test_mode) = false;
  TORCH_ARG(bool, keep_tail_frames) = false;

 public:
  // Reads SampleFrames' arguments (start_index only warns: it moved to the dataset).
  static SampleFramesOptions from_args(Args& args);
};

class SampleFrames : public Transform {
 public:
  explicit SampleFrames(SampleFramesOptions options);
  void apply(Sample& sample) override;
  std::string type() const override { return "SampleFrames"; }
  const SampleFramesOptions& options() const { return options_; }

  // Clip start offsets before looping/clamping. They are floats because MMAction2's arrays
  // can be (twice_sample mixes in unshifted float offsets); frame indices are truncated last.
  virtual std::vector<double> train_clips(int64_t num_frames, Sample& sample) const;
  virtual std::vector<double> test_clips(int64_t num_frames) const;

  // frame_inds for `total_frames` as MMAction2 computes them, start_index added.
  std::vector<int64_t> frame_indices(int64_t total_frames, int64_t start_index,
                                     Sample& sample) const;

  static std::shared_ptr<Transform> from_config(Args& args);

 protected:
  SampleFramesOptions options_;
};

// np.random.randint(n) from the sample's generator: uniform in [0, n).
int64_t random_below(Sample& sample, int64_t n);

}  // namespace tubelet
