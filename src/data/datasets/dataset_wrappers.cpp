#include "tubelet/data/datasets/dataset_wrappers.h"

#include <stdexcept>

#include "tubelet/config/error.h"

namespace tubelet {

namespace {

std::out_of_range bad_index(const char* who, int64_t index, int64_t size) {
  return std::out_of_range(std::string(who) + ": index " + std::to_string(index) +
                           " is out of range for " + std::to_string(size) + " samples");
}

// The inner config with test_mode set, as the wrappers do to their dict before building it.
std::shared_ptr<Dataset> build_inner(Value cfg, bool test_mode, const std::string& path) {
  if (!cfg.is_dict()) throw ConfigError(path + " must be a dataset config dict", cfg.location());
  cfg.mutable_dict().set("test_mode", Value(test_mode));
  return DATASETS().build(cfg, BuildContext(path));
}

}  // namespace

RepeatDataset::RepeatDataset(std::shared_ptr<Dataset> dataset, int64_t times)
    : dataset_(std::move(dataset)), times_(times) {
  if (!dataset_) throw std::invalid_argument("RepeatDataset needs a dataset");
  if (times_ < 0) throw std::invalid_argument("RepeatDataset: times must not be negative");
}

int64_t RepeatDataset::inner(int64_t index) const {
  if (index < 0 || index >= size()) throw bad_index("RepeatDataset", index, size());
  return index % dataset_->size();
}

Sample RepeatDataset::get(int64_t index, uint64_t seed) const {
  return dataset_->get(inner(index), seed);
}

const Dict& RepeatDataset::info(int64_t index) const {
  return dataset_->info(inner(index));
}

std::shared_ptr<Dataset> RepeatDataset::from_config(Args& args) {
  Value dataset = args.required<Value>("dataset");
  int64_t times = args.required<int64_t>("times");
  bool test_mode = args.get("test_mode", false);
  args.finish();
  return std::make_shared<RepeatDataset>(build_inner(dataset, test_mode, args.path() + ".dataset"),
                                         times);
}

ConcatDataset::ConcatDataset(std::vector<std::shared_ptr<Dataset>> datasets)
    : datasets_(std::move(datasets)) {
  for (const auto& d : datasets_) {
    if (!d) throw std::invalid_argument("ConcatDataset: a dataset is missing");
    total_ += d->size();
  }
}

std::pair<const Dataset*, int64_t> ConcatDataset::locate(int64_t index) const {
  if (index < 0 || index >= total_) throw bad_index("ConcatDataset", index, total_);
  for (const auto& d : datasets_) {
    if (index < d->size()) return {d.get(), index};
    index -= d->size();
  }
  throw bad_index("ConcatDataset", index, total_);
}

Sample ConcatDataset::get(int64_t index, uint64_t seed) const {
  auto [dataset, i] = locate(index);
  return dataset->get(i, seed);
}

const Dict& ConcatDataset::info(int64_t index) const {
  auto [dataset, i] = locate(index);
  return dataset->info(i);
}

std::shared_ptr<Dataset> ConcatDataset::from_config(Args& args) {
  Value configs = args.required<Value>("datasets");
  bool test_mode = args.get("test_mode", false);
  args.finish();
  if (!configs.is_sequence())
    throw args.error("datasets", "datasets must be a list of dataset configs");
  std::vector<std::shared_ptr<Dataset>> datasets;
  for (size_t i = 0; i < configs.as_list().size(); ++i)
    datasets.push_back(build_inner(configs.as_list()[i], test_mode,
                                   args.path() + ".datasets[" + std::to_string(i) + "]"));
  return std::make_shared<ConcatDataset>(std::move(datasets));
}

TUBELET_REGISTER(DATASETS, RepeatDataset, RepeatDataset::from_config);
TUBELET_REGISTER(DATASETS, ConcatDataset, ConcatDataset::from_config);

}  // namespace tubelet
