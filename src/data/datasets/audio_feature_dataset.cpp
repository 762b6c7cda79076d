#include "tubelet/data/datasets/audio_feature_dataset.h"

#include <torch/torch.h>

#include <stdexcept>

namespace tubelet {

namespace {
bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}
}  // namespace

AudioFeatureDataset::AudioFeatureDataset(BaseDatasetOptions options, std::string suffix)
    : BaseDataset(std::move(options)), suffix_(std::move(suffix)) {
  load();
}

Dict AudioFeatureDataset::parse_line(const std::vector<std::string>& f, int64_t line) const {
  if (f.size() < 3)
    throw std::runtime_error(
        where(line) + ": expected 'path total_frames label [label ...]', got " +
        std::to_string(f.size()) + " fields" + (f.size() == 2 ? " (missing label)" : ""));
  auto number = [&](size_t i, const char* what) {
    std::optional<int64_t> v = parse_int(f[i]);
    if (!v)
      throw std::runtime_error(where(line) + ": " + what + " '" + f[i] + "' is not an integer");
    return *v;
  };
  std::string path = f[0];
  if (options_.data_prefix)
    path = path_join(*options_.data_prefix, path) + (ends_with(path, suffix_) ? "" : suffix_);
  Dict info;
  info.set("audio_path", Value(path));
  info.set("total_frames", Value(number(1, "total_frames")));
  List labels;
  for (size_t i = 2; i < f.size(); ++i) labels.emplace_back(number(i, "label"));
  if (options_.multi_class) {
    if (!options_.num_classes)
      throw std::invalid_argument(where() + ": multi_class needs num_classes");
    info.set("label", Value::list(labels));
  } else {
    if (labels.size() != 1)
      throw std::runtime_error(where(line) + ": " + std::to_string(labels.size()) +
                               " labels on one line need multi_class=True");
    info.set("label", labels.front());
  }
  return info;
}

std::vector<Dict> AudioFeatureDataset::load_annotations() const {
  if (ends_with(options_.ann_file, ".json")) return load_json_annotations();
  std::vector<Dict> infos;
  std::vector<std::string> lines = read_lines(options_.ann_file);
  for (size_t n = 0; n < lines.size(); ++n)
    infos.push_back(parse_line(split_fields(lines[n]), static_cast<int64_t>(n) + 1));
  return infos;
}

std::shared_ptr<Dataset> AudioFeatureDataset::from_config(Args& args) {
  // MMAction2 passes modality='Audio' itself, so a config's own modality is a TypeError there.
  if (args.has("modality"))
    throw args.error("modality", "AudioFeatureDataset sets modality='Audio' itself; remove it");
  BaseDatasetOptions options = BaseDatasetOptions::from_args(args, 1);
  options.modality = "Audio";
  std::string suffix = args.get("suffix", ".npy");
  args.finish();  // an unknown argument is reported before any file is read
  return std::make_shared<AudioFeatureDataset>(std::move(options), suffix);
}

TUBELET_REGISTER(DATASETS, AudioFeatureDataset, AudioFeatureDataset::from_config);

}  // namespace tubelet
