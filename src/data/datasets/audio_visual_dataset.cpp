#include "tubelet/data/datasets/audio_visual_dataset.h"

namespace tubelet {

AudioVisualDataset::AudioVisualDataset(BaseDatasetOptions options, std::string filename_tmpl,
                                       bool with_offset, std::optional<std::string> audio_prefix,
                                       std::optional<std::string> video_prefix)
    : RawframeDataset(std::move(options), std::move(filename_tmpl), with_offset, NoLoad{}),
      audio_prefix_(std::move(audio_prefix)),
      video_prefix_(std::move(video_prefix)) {
  load();
}

std::vector<Dict> AudioVisualDataset::load_annotations() const {
  // RawframeDataset's line parsing, then MMAction2's keys in its order: audio_path, filename,
  // frame_dir (only with data_prefix), [offset,] total_frames, label.
  return parse_text_lines([this](const std::vector<std::string>& f, int64_t line) {
    Dict parsed = parse_line(f, line);
    Dict info;
    if (audio_prefix_) info.set("audio_path", Value(path_join(*audio_prefix_, f[0] + ".npy")));
    if (video_prefix_ && !video_prefix_->empty())
      info.set("filename", Value(path_join(*video_prefix_, f[0] + ".mp4")));
    for (const auto& [key, value] : parsed) {
      if (key.is_str() && key.as_str() == "frame_dir" && !options_.data_prefix) continue;
      info.set(key, value);
    }
    return info;
  });
}

std::shared_ptr<Dataset> AudioVisualDataset::from_config(Args& args) {
  BaseDatasetOptions options = BaseDatasetOptions::from_args(args, 1);
  auto audio_prefix = args.required<std::optional<std::string>>("audio_prefix");
  auto video_prefix = args.get<std::optional<std::string>>("video_prefix", std::nullopt);
  std::string tmpl = args.get("filename_tmpl", "img_{:05}.jpg");
  bool with_offset = args.get("with_offset", false);
  auto factors = args.get<std::vector<double>>("short_cycle_factors", {0.5, 0.7071});
  auto default_s = args.get<std::vector<int64_t>>("default_s", {224, 224});
  args.finish();  // an unknown argument is reported before any file is read
  auto dataset = std::make_shared<AudioVisualDataset>(
      std::move(options), tmpl, with_offset, std::move(audio_prefix), std::move(video_prefix));
  dataset->short_cycle_factors = factors;
  dataset->default_s = default_s;
  return dataset;
}

TUBELET_REGISTER(DATASETS, AudioVisualDataset, AudioVisualDataset::from_config);

}  // namespace tubelet
