#include "tubelet/data/datasets/audio_feature_dataset.h"

namespace tubelet {

std::shared_ptr<Dataset> AudioFeatureDataset::from_config(Args& args) {
  auto [options, suffix] = audio_options(args, "AudioFeatureDataset", ".npy");
  return std::make_shared<AudioFeatureDataset>(std::move(options), std::move(suffix));
}

TUBELET_REGISTER(DATASETS, AudioFeatureDataset, AudioFeatureDataset::from_config);

}  // namespace tubelet
