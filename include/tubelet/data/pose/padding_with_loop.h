// PaddingWithLoop (MMAction2 0.24.1, pipelines/pose_loading.py): frame_inds = 0 .. clip_len-1
// looped over total_frames (no start_index), clip_len, frame_interval None and num_clips.
#pragma once

#include <memory>
#include <string>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class PaddingWithLoop : public Transform {
 public:
  PaddingWithLoop(int64_t clip_len, int64_t num_clips)
      : clip_len_(clip_len), num_clips_(num_clips) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "PaddingWithLoop"; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  int64_t clip_len_, num_clips_;
};

}  // namespace tubelet
