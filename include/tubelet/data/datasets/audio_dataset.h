// AudioDataset: raw audio files decoded on the fly (AudioDecodeInit), one
// `path total_frames label [label ...]` line per video (or a .json list of infos) as
// MMAction2's audio_dataset.py reads them: with a data_prefix, a path that lacks `suffix`
// (default '.wav') is joined to it with the suffix appended, one that has it is joined as it is;
// without a data_prefix, paths are taken as they are. modality is 'Audio'; start_index
// defaults to 1.
#pragma once

#include <string>
#include <utility>

#include "tubelet/data/datasets/base_dataset.h"

namespace tubelet {

class AudioDataset : public BaseDataset {
 public:
  AudioDataset(BaseDatasetOptions options, std::string suffix);
  static std::shared_ptr<Dataset> from_config(Args& args);

  const std::string& suffix() const { return suffix_; }

 protected:
  // from_config's reading, shared with AudioFeatureDataset: the dataset options with modality
  // 'Audio' and the suffix (default `default_suffix`); `type` names the dataset in errors.
  static std::pair<BaseDatasetOptions, std::string> audio_options(
      Args& args, const std::string& type, const std::string& default_suffix);
  std::vector<Dict> load_annotations() const override;
  std::string type_name() const override { return "AudioDataset"; }

 private:
  Dict parse_line(const std::vector<std::string>& fields, int64_t line) const;

  std::string suffix_;
};

}  // namespace tubelet
