// AudioFeatureDataset: audio features extracted off-line (.npy spectrograms), one
// `path total_frames label [label ...]` line per video (or a .json list of infos). With a
// data_prefix, `suffix` is appended to paths that lack it; without one, paths are taken as
// they are (MMAction2's rule). modality is 'Audio'; start_index defaults to 1.
#pragma once

#include "tubelet/data/datasets/base_dataset.h"

namespace tubelet {

class AudioFeatureDataset : public BaseDataset {
 public:
  AudioFeatureDataset(BaseDatasetOptions options, std::string suffix);
  static std::shared_ptr<Dataset> from_config(Args& args);

  const std::string& suffix() const { return suffix_; }

 protected:
  std::vector<Dict> load_annotations() const override;
  std::string type_name() const override { return "AudioFeatureDataset"; }

 private:
  Dict parse_line(const std::vector<std::string>& fields, int64_t line) const;

  std::string suffix_;
};

}  // namespace tubelet
