// LoadAudioFeature: reads results' audio_path (an np.save .npy of [time, frequency]) into the
// "audios" tensor (its dtype kept) and its row count into `length`. A missing file stands for
// a video without an audio stream: as MMAction2, a [640, 80] float32 map of zeros
// (pad_method 'zero') or of uniform [0, 1) draws ('random') takes its place, with a warning.
#pragma once

#include <string>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class LoadAudioFeature : public Transform {
 public:
  explicit LoadAudioFeature(std::string pad_method = "zero");
  void apply(Sample& sample) override;
  std::string type() const override { return "LoadAudioFeature"; }
  static std::shared_ptr<Transform> from_config(Args& args);

  // The shape MMAction2 pads a missing feature file with (10 s of 64 frames/s, 80 bins).
  static constexpr int64_t kPadLength = 640, kPadBins = 80;

 private:
  std::string pad_method_;
};

}  // namespace tubelet
