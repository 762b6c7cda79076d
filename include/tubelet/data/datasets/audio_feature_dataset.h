// AudioFeatureDataset: audio features extracted off-line (.npy spectrograms, e.g. by
// `tubelet build-audio-features`), read from the same annotation lines as AudioDataset with
// the same path rule; only the default suffix ('.npy') and the name differ, as in MMAction2.
#pragma once

#include "tubelet/data/datasets/audio_dataset.h"

namespace tubelet {

class AudioFeatureDataset : public AudioDataset {
 public:
  using AudioDataset::AudioDataset;
  static std::shared_ptr<Dataset> from_config(Args& args);

 protected:
  std::string type_name() const override { return "AudioFeatureDataset"; }
};

}  // namespace tubelet
