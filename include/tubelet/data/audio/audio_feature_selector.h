// AudioFeatureSelector: cuts from the "audios" feature map [length, F] the rows that each
// clip of frame_inds covers (frames mapped to rows by length / total_frames, rounded half to
// even as Python's round), then truncates or zero-pads every clip to `fixed_length` rows:
// "audios" becomes [num_clips, fixed_length, F] (same dtype), audios_shape is set.
#pragma once

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class AudioFeatureSelector : public Transform {
 public:
  explicit AudioFeatureSelector(int64_t fixed_length = 128);
  void apply(Sample& sample) override;
  std::string type() const override { return "AudioFeatureSelector"; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  int64_t fixed_length_;
};

}  // namespace tubelet
