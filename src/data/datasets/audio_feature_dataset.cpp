#include "tubelet/data/datasets/audio_feature_dataset.h"

namespace tubelet {

std::shared_ptr<Dataset> AudioFeatureDataset::from_config(Args& args) {
  BaseDatasetOptions options = audio_options(args, "AudioFeatureDataset");
  std::string suffix = args.get("suffix", ".npy");
  args.finish();  // an unknown argument is reported before any file is read
  return std::make_shared<AudioFeatureDataset>(std::move(options), suffix);
}

TUBELET_REGISTER(DATASETS, AudioFeatureDataset, AudioFeatureDataset::from_config);

}  // namespace tubelet
