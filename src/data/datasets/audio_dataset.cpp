#include "tubelet/data/datasets/audio_dataset.h"

#include <torch/torch.h>

#include <stdexcept>

namespace tubelet {

namespace {
bool has_suffix(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}
}  // namespace

AudioDataset::AudioDataset(BaseDatasetOptions options, std::string suffix)
    : BaseDataset(std::move(options)), suffix_(std::move(suffix)) {
  load();
}

Dict AudioDataset::parse_line(const std::vector<std::string>& f, int64_t line) const {
  if (f.size() < 3)
    throw std::runtime_error(
        where(line) + ": expected 'path total_frames label [label ...]', got " +
        std::to_string(f.size()) + " fields" + (f.size() == 2 ? " (missing label)" : ""));
  std::string path = f[0];
  if (options_.data_prefix)
    path = path_join(*options_.data_prefix, has_suffix(path, suffix_) ? path : path + suffix_);
  Dict info;
  info.set("audio_path", Value(path));
  info.set("total_frames", Value(field_int(f, 1, "total_frames", line)));
  set_labels(info, f, 2, line);
  return info;
}

std::vector<Dict> AudioDataset::load_annotations() const {
  if (has_suffix(options_.ann_file, ".json")) return load_json_annotations();
  return parse_text_lines([this](const auto& f, int64_t line) { return parse_line(f, line); });
}

std::pair<BaseDatasetOptions, std::string> AudioDataset::audio_options(
    Args& args, const std::string& type, const std::string& default_suffix) {
  // MMAction2 passes modality='Audio' itself, so a config's own modality is a TypeError there.
  if (args.has("modality"))
    throw args.error("modality", type + " sets modality='Audio' itself; remove it");
  BaseDatasetOptions options = BaseDatasetOptions::from_args(args, 1);
  options.modality = "Audio";
  std::string suffix = args.get("suffix", default_suffix);
  args.finish();  // an unknown argument is reported before any file is read
  return {std::move(options), std::move(suffix)};
}

std::shared_ptr<Dataset> AudioDataset::from_config(Args& args) {
  auto [options, suffix] = audio_options(args, "AudioDataset", ".wav");
  return std::make_shared<AudioDataset>(std::move(options), std::move(suffix));
}

TUBELET_REGISTER(DATASETS, AudioDataset, AudioDataset::from_config);

}  // namespace tubelet
