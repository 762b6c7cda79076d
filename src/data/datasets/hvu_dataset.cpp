#include "tubelet/data/datasets/hvu_dataset.h"

#include <stdexcept>

#include "tubelet/config/dump.h"
#include "tubelet/evaluation/average_precision.h"

namespace tubelet {

HVUDataset::HVUDataset(BaseDatasetOptions options, HVUDatasetOptions hvu)
    : BaseDataset(std::move(options)), hvu_(std::move(hvu)) {
  if (hvu_.tag_categories.size() != hvu_.tag_category_nums.size())
    throw std::invalid_argument(
        "HVUDataset: tag_categories (" + std::to_string(hvu_.tag_categories.size()) +
        ") and tag_category_nums (" + std::to_string(hvu_.tag_category_nums.size()) +
        ") must have the same length");
  for (int64_t n : hvu_.tag_category_nums)
    if (n < 0) throw std::invalid_argument("HVUDataset: tag_category_nums must not be negative");
  load();
}

int64_t HVUDataset::num_tags() const {
  int64_t n = 0;
  for (int64_t c : hvu_.tag_category_nums) n += c;
  return n;
}

int64_t HVUDataset::category_start(size_t category) const {
  int64_t start = 0;
  for (size_t i = 0; i < category; ++i) start += hvu_.tag_category_nums[i];
  return start;
}

std::vector<Dict> HVUDataset::load_annotations() const {
  const std::string& file = options_.ann_file;
  if (file.size() < 5 || file.compare(file.size() - 5, 5, ".json") != 0)
    throw std::invalid_argument("HVUDataset: ann_file must be a .json file, got '" + file + "'");
  std::string text;
  for (const std::string& line : read_lines(file)) text += line + "\n";
  Value all = from_json(text, file);
  if (!all.is_list()) throw std::runtime_error(where() + ": expected a list of video infos");
  if (all.as_list().empty())
    throw std::runtime_error(where() + ": HVUDataset needs at least one video info");
  std::vector<Dict> infos;
  for (const Value& item : all.as_list()) {
    if (!item.is_dict())
      throw std::runtime_error(where() + ": entry " + std::to_string(infos.size()) +
                               " is not a dict");
    infos.push_back(item.as_dict());
  }
  const bool has_filename = infos.front().contains("filename");
  if (has_filename == infos.front().contains("frame_dir"))
    throw std::runtime_error(where() +
                             ": the first entry must have exactly one of 'filename' and "
                             "'frame_dir'");
  const std::string key = has_filename ? "filename" : "frame_dir";
  dataset_type_ = has_filename ? "video" : "rawframe";
  if (!has_filename && !hvu_.filename_tmpl)
    throw std::invalid_argument("HVUDataset: a rawframe annotation file needs filename_tmpl");
  Value categories = Value::list();
  for (const std::string& c : hvu_.tag_categories) categories.mutable_list().push_back(Value(c));
  Value nums = Value::list();
  for (int64_t n : hvu_.tag_category_nums) nums.mutable_list().push_back(Value(n));
  for (size_t i = 0; i < infos.size(); ++i) {
    Dict& info = infos[i];
    const Value* path = info.find(key);
    if (!path || !path->is_str())
      throw std::runtime_error(where() + ": entry " + std::to_string(i) + " has no string '" + key +
                               "'");
    info.set(key, Value(with_prefix(path->as_str())));
    info.set("categories", categories);
    info.set("category_nums", nums);
    if (!has_filename) {
      info.set("filename_tmpl", Value(*hvu_.filename_tmpl));
      info.set("start_index", Value(options_.start_index));
      info.set("modality", Value(options_.modality));
    }
  }
  return infos;
}

namespace {

// HVUDataset.label2array: zeros(num) with 1 at each tag (numpy indexing: negative counts from
// the end).
std::vector<double> hvu_label2array(int64_t num, const Value& tags, const std::string& what) {
  std::vector<double> arr(static_cast<size_t>(num), 0.0);
  if (!tags.is_sequence())
    throw std::invalid_argument("HVUDataset: " + what + " must be a list of tag indices");
  for (const Value& t : tags.as_list()) {
    if (!t.is_int())
      throw std::invalid_argument("HVUDataset: " + what + " must be a list of tag indices");
    int64_t k = t.as_int();
    if (k < 0) k += num;
    if (k < 0 || k >= num)
      throw std::invalid_argument("HVUDataset: " + what + " has tag " + std::to_string(t.as_int()) +
                                  ", out of range for " + std::to_string(num) + " tags");
    arr[static_cast<size_t>(k)] = 1.0;
  }
  return arr;
}

}  // namespace

Dict HVUDataset::evaluate(const torch::Tensor& results, const std::vector<std::string>& metrics,
                          const Dict&) const {
  if (metrics.size() > 1)
    throw std::invalid_argument("HVUDataset: evaluate supports one metric, got " +
                                std::to_string(metrics.size()));
  if (!metrics.empty() && metrics.front() != "mean_average_precision")
    throw std::invalid_argument("HVUDataset: metric " + metrics.front() +
                                " is not supported (only mean_average_precision)");
  if (results.dim() != 2 || results.size(0) != size())
    throw std::invalid_argument("The length of results is not equal to the dataset len: " +
                                std::to_string(results.dim() ? results.size(0) : 0) +
                                " != " + std::to_string(size()));
  Dict out;
  for (size_t c = 0; c < hvu_.tag_categories.size(); ++c) {
    const std::string& category = hvu_.tag_categories[c];
    const int64_t start = category_start(c);
    const int64_t num = hvu_.tag_category_nums[c];
    if (results.size(1) < start + num)
      throw std::invalid_argument("HVUDataset: results have " + std::to_string(results.size(1)) +
                                  " scores per video, category '" + category + "' needs " +
                                  std::to_string(start + num));
    std::vector<torch::Tensor> preds;
    std::vector<torch::Tensor> gts;
    for (size_t i = 0; i < video_infos_.size(); ++i) {
      const Value* label = video_infos_[i].find("label");
      if (!label || !label->is_dict())
        throw std::invalid_argument("HVUDataset: entry " + std::to_string(i) + " of " + where() +
                                    " has no 'label' dict");
      const Value* tags = label->as_dict().find(category);
      if (!tags) continue;
      preds.push_back(results[static_cast<int64_t>(i)].slice(0, start, start + num));
      std::vector<double> arr =
          hvu_label2array(num, *tags, "entry " + std::to_string(i) + "'s '" + category + "' label");
      gts.push_back(torch::tensor(arr, torch::kFloat64));
    }
    if (preds.empty())
      throw std::invalid_argument("HVUDataset: no video has tags of category '" + category +
                                  "' (np.stack of nothing in MMAction2)");
    out.set(category + "_mAP", Value(mean_average_precision(torch::stack(preds).to(torch::kFloat64),
                                                            torch::stack(gts))));
  }
  return out;
}

std::shared_ptr<Dataset> HVUDataset::from_config(Args& args) {
  BaseDatasetOptions options = BaseDatasetOptions::from_args(args, 0);
  HVUDatasetOptions hvu;
  hvu.tag_categories = args.required<std::vector<std::string>>("tag_categories");
  hvu.tag_category_nums = args.required<std::vector<int64_t>>("tag_category_nums");
  hvu.filename_tmpl = args.get<std::optional<std::string>>("filename_tmpl", std::nullopt);
  if (hvu.tag_categories.size() != hvu.tag_category_nums.size())
    throw args.error("tag_category_nums",
                     "tag_categories and tag_category_nums must have the same length");
  args.finish();
  return std::make_shared<HVUDataset>(std::move(options), std::move(hvu));
}

TUBELET_REGISTER(DATASETS, HVUDataset, HVUDataset::from_config);

}  // namespace tubelet
