#include "tubelet/data/datasets/activitynet_dataset.h"

#include <stdexcept>

#include "tubelet/config/dump.h"

namespace tubelet {

ActivityNetDataset::ActivityNetDataset(BaseDatasetOptions options)
    : BaseDataset(std::move(options)) {
  load();
}

std::vector<Dict> ActivityNetDataset::load_annotations() const {
  std::string text;
  for (const std::string& line : read_lines(options_.ann_file)) text += line + "\n";
  Value database = from_json(text, options_.ann_file);
  if (!database.is_dict())
    throw std::runtime_error(where() + ": expected a JSON object of videos by name");
  std::vector<Dict> infos;
  for (const auto& [name, entry] : database.as_dict()) {
    if (!entry.is_dict())
      throw std::runtime_error(where() + ": video '" +
                               (name.is_str() ? name.as_str() : repr(name)) + "' is not an object");
    Dict info = entry.as_dict();
    info.set("video_name", name);
    infos.push_back(std::move(info));
  }
  return infos;
}

Sample ActivityNetDataset::prepare(int64_t index) const {
  Sample sample;
  sample.info = info(index);
  sample.info.set("data_prefix", options_.data_prefix ? Value(*options_.data_prefix) : Value());
  return sample;
}

Dict ActivityNetDataset::evaluate(const torch::Tensor&, const std::vector<std::string>&,
                                  const Dict&) const {
  throw std::logic_error(
      "ActivityNetDataset.evaluate (AR@AN of proposals) is not implemented yet: it comes with "
      "the localization models");
}

std::shared_ptr<Dataset> ActivityNetDataset::from_config(Args& args) {
  BaseDatasetOptions o;
  o.ann_file = args.required<std::string>("ann_file");
  o.pipeline = args.required<Value>("pipeline");
  o.pipeline_path = args.path() + ".pipeline";
  o.data_prefix = args.get<std::optional<std::string>>("data_prefix", std::nullopt);
  o.test_mode = args.get("test_mode", false);
  args.finish();  // an unknown argument is reported before any file is read
  return std::make_shared<ActivityNetDataset>(std::move(o));
}

TUBELET_REGISTER(DATASETS, ActivityNetDataset, ActivityNetDataset::from_config);

}  // namespace tubelet
