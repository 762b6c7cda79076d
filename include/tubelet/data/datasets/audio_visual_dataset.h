// AudioVisualDataset (MMAction2 0.24.1, datasets/audio_visual_dataset.py): a RawframeDataset
// over a text list (`frame_dir [offset] total_frames label [label ...]`) whose infos also get
// 'audio_path' = audio_prefix/<frame_dir>.npy (when audio_prefix is not None) and, when
// video_prefix is given, 'filename' = video_prefix/<frame_dir>.mp4. As in MMAction2,
// 'frame_dir' is only set when data_prefix is given, and a .json ann_file is not supported.
#pragma once

#include <optional>
#include <string>

#include "tubelet/data/datasets/rawframe_dataset.h"

namespace tubelet {

class AudioVisualDataset : public RawframeDataset {
 public:
  AudioVisualDataset(BaseDatasetOptions options, std::string filename_tmpl, bool with_offset,
                     std::optional<std::string> audio_prefix,
                     std::optional<std::string> video_prefix);
  static std::shared_ptr<Dataset> from_config(Args& args);

  const std::optional<std::string>& audio_prefix() const { return audio_prefix_; }
  const std::optional<std::string>& video_prefix() const { return video_prefix_; }

 protected:
  std::vector<Dict> load_annotations() const override;
  std::string type_name() const override { return "AudioVisualDataset"; }

 private:
  std::optional<std::string> audio_prefix_;
  std::optional<std::string> video_prefix_;
};

}  // namespace tubelet
