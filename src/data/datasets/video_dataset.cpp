#include "tubelet/data/datasets/video_dataset.h"

#include <stdexcept>

namespace tubelet {

VideoDataset::VideoDataset(BaseDatasetOptions options) : BaseDataset(std::move(options)) {
  load();
}

std::vector<Dict> VideoDataset::load_annotations() const {
  const std::string& file = options_.ann_file;
  if (file.size() >= 5 && file.compare(file.size() - 5, 5, ".json") == 0)
    return load_json_annotations();
  std::vector<Dict> infos;
  std::vector<std::string> lines = read_lines(file);
  for (size_t n = 0; n < lines.size(); ++n) {
    const int64_t line = static_cast<int64_t>(n) + 1;
    std::vector<std::string> f = split_fields(lines[n]);
    const size_t expected_max = options_.multi_class ? f.size() : 2;
    if (f.size() < 2 || f.size() > expected_max)
      throw std::runtime_error(where(line) + ": expected '" +
                               (options_.multi_class ? "path label [label ...]" : "path label") +
                               "', got '" + lines[n] + "'");
    if (options_.multi_class && !options_.num_classes)
      throw std::invalid_argument(where() + ": multi_class needs num_classes");
    List labels;
    for (size_t i = 1; i < f.size(); ++i) {
      std::optional<int64_t> label = parse_int(f[i]);
      if (!label)
        throw std::runtime_error(where(line) + ": label '" + f[i] + "' is not an integer");
      labels.emplace_back(*label);
    }
    Dict info;
    info.set("filename", Value(with_prefix(f[0])));
    info.set("label", options_.multi_class ? Value::list(labels) : labels.front());
    infos.push_back(std::move(info));
  }
  return infos;
}

std::shared_ptr<Dataset> VideoDataset::from_config(Args& args) {
  BaseDatasetOptions options = BaseDatasetOptions::from_args(args, 0);
  args.finish();  // an unknown argument is reported before any file is read
  return std::make_shared<VideoDataset>(std::move(options));
}

TUBELET_REGISTER(DATASETS, VideoDataset, VideoDataset::from_config);

}  // namespace tubelet
