// UntrimmedSampleFrames: one clip of `clip_len` frames centred every `frame_interval` frames
// over the whole video, indices clamped to the video.
#pragma once

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class UntrimmedSampleFrames : public Transform {
 public:
  UntrimmedSampleFrames(int64_t clip_len, int64_t frame_interval);
  void apply(Sample& sample) override;
  std::string type() const override { return "UntrimmedSampleFrames"; }

  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  int64_t clip_len_;
  int64_t frame_interval_;
};

}  // namespace tubelet
