// AudioDecode(fixed_length=32000): cuts from the waveform "audios" ([length]) the samples each
// clip of frame_inds covers — from round((first + 1) / total_frames * length) to
// round((last + 1) / total_frames * length), Python's round (half to even) and slicing —
// then truncates or zero-pads each to fixed_length: "audios" becomes [num_clips,
// fixed_length] (same dtype) and audios_shape is set.
#pragma once

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class AudioDecode : public Transform {
 public:
  explicit AudioDecode(int64_t fixed_length = 32000);
  void apply(Sample& sample) override;
  std::string type() const override { return "AudioDecode"; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  int64_t fixed_length_;
};

}  // namespace tubelet
