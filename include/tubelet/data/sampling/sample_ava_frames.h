// SampleAVAFrames (MMAction2 0.24.1, pipelines/loading.py): the clip around an AVA keyframe.
// center = fps * (timestamp - timestamp_start) + 1; clip_len frames frame_interval apart from
// center - (clip_len // 2) * frame_interval, each moved by a random offset in
// [-frame_interval // 2, (frame_interval + 1) // 2) in training (drawn in test mode too, then
// unused), clipped to [shot_info[0], shot_info[1] - 1], plus start_index. Writes frame_inds,
// clip_len, frame_interval, num_clips (1) and crop_quadruple ([0, 0, 1, 1]).
#pragma once

#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class SampleAVAFrames : public Transform {
 public:
  SampleAVAFrames(int64_t clip_len, int64_t frame_interval, bool test_mode);
  void apply(Sample& sample) override;
  std::string type() const override { return "SampleAVAFrames"; }
  // The frame indices (start_index not added) for a keyframe `center_index`.
  std::vector<int64_t> clip(int64_t center_index, const std::vector<int64_t>& skip_offsets,
                            int64_t shot_begin, int64_t shot_end) const;
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  int64_t clip_len_;
  int64_t frame_interval_;
  bool test_mode_;
};

}  // namespace tubelet
