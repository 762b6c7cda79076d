#include "tubelet/data/datasets/base_dataset.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tubelet/config/dump.h"
#include "tubelet/evaluation/average_precision.h"
#include "tubelet/evaluation/class_accuracy.h"
#include "tubelet/evaluation/top_k_accuracy.h"

namespace tubelet {

std::string path_join(const std::string& a, const std::string& b) {
  if (!b.empty() && b.front() == '/') return b;
  if (a.empty() || a.back() == '/') return a + b;
  return a + "/" + b;
}

std::optional<int64_t> parse_int(const std::string& text) {
  try {
    size_t used = 0;
    long long v = std::stoll(text, &used, 10);
    if (used == text.size()) return static_cast<int64_t>(v);
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open annotation file '" + path + "'");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> split_fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string f; in >> f;) fields.push_back(f);
  return fields;
}

BaseDatasetOptions BaseDatasetOptions::from_args(Args& args, int64_t default_start_index) {
  BaseDatasetOptions o;
  o.ann_file = args.required<std::string>("ann_file");
  o.pipeline = args.required<Value>("pipeline");
  o.pipeline_path = args.path() + ".pipeline";
  o.data_prefix = args.get<std::optional<std::string>>("data_prefix", std::nullopt);
  o.test_mode = args.get("test_mode", false);
  o.multi_class = args.get("multi_class", false);
  o.num_classes = args.get<std::optional<int64_t>>("num_classes", std::nullopt);
  o.start_index = args.get<int64_t>("start_index", default_start_index);
  o.modality = args.get("modality", "RGB");
  o.sample_by_class = args.get("sample_by_class", false);
  o.power = args.get<double>("power", 0.0);
  o.dynamic_length = args.get("dynamic_length", false);
  return o;
}

BaseDataset::BaseDataset(BaseDatasetOptions options) : options_(std::move(options)) {
  if (options_.multi_class && options_.sample_by_class)
    throw std::invalid_argument(where() + ": multi_class and sample_by_class cannot both be set");
  std::error_code ec;
  // As MMAction2: an existing data_prefix directory is resolved (osp.realpath).
  if (options_.data_prefix && std::filesystem::is_directory(*options_.data_prefix, ec))
    options_.data_prefix = std::filesystem::canonical(*options_.data_prefix, ec).string();
  pipeline_ = Compose(options_.pipeline, options_.pipeline_path);
}

void BaseDataset::load() {
  video_infos_ = load_annotations();
  class_prob_.clear();
  if (!options_.sample_by_class) return;
  std::vector<std::pair<Value, int64_t>> counts;
  for (const Dict& info : video_infos_) {
    const Value& label = info.at("label");
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const auto& c) { return hash_key(c.first) == hash_key(label); });
    if (it == counts.end())
      counts.emplace_back(label, 1);
    else
      ++it->second;
  }
  double sum = 0;
  for (const auto& [label, n] : counts) {
    double p =
        std::pow(static_cast<double>(n) / static_cast<double>(video_infos_.size()), options_.power);
    class_prob_.emplace_back(label, p);
    sum += p;
  }
  for (auto& item : class_prob_) item.second /= sum;
}

std::string BaseDataset::where(int64_t line) const {
  return line > 0 ? options_.ann_file + ":" + std::to_string(line) : options_.ann_file;
}

std::vector<Dict> BaseDataset::parse_text_lines(
    const std::function<Dict(const std::vector<std::string>&, int64_t)>& parse) const {
  std::vector<Dict> infos;
  std::vector<std::string> lines = read_lines(options_.ann_file);
  for (size_t n = 0; n < lines.size(); ++n)
    infos.push_back(parse(split_fields(lines[n]), static_cast<int64_t>(n) + 1));
  return infos;
}

int64_t BaseDataset::field_int(const std::vector<std::string>& fields, size_t i, const char* what,
                               int64_t line) const {
  std::optional<int64_t> v = parse_int(fields[i]);
  if (!v)
    throw std::runtime_error(where(line) + ": " + what + " '" + fields[i] + "' is not an integer");
  return *v;
}

void BaseDataset::set_labels(Dict& info, const std::vector<std::string>& fields, size_t first,
                             int64_t line) const {
  List labels;
  for (size_t i = first; i < fields.size(); ++i)
    labels.emplace_back(field_int(fields, i, "label", line));
  if (options_.multi_class) {
    if (!options_.num_classes)
      throw std::invalid_argument(where() + ": multi_class needs num_classes");
    info.set("label", Value::list(labels));
    return;
  }
  if (labels.size() != 1)
    throw std::runtime_error(where(line) + ": " + std::to_string(labels.size()) +
                             " labels on one line need multi_class=True");
  info.set("label", labels.front());
}

std::string BaseDataset::with_prefix(const std::string& path) const {
  return options_.data_prefix ? path_join(*options_.data_prefix, path) : path;
}

const Dict& BaseDataset::info(int64_t index) const {
  if (index < 0 || index >= size())
    throw std::out_of_range(type_name() + " (" + where() + "): index " + std::to_string(index) +
                            " is out of range for " + std::to_string(size()) + " samples");
  return video_infos_[static_cast<size_t>(index)];
}

torch::Tensor BaseDataset::onehot(const Value& label, int64_t index) const {
  if (!options_.num_classes)
    throw std::invalid_argument(where() + ": multi_class needs num_classes");
  const int64_t n = *options_.num_classes;
  torch::Tensor out = torch::zeros({n}, torch::kFloat);
  List labels = label.is_sequence() ? label.as_list() : List{label};
  for (const Value& l : labels) {
    int64_t c = l.as_int();
    if (c < -n || c >= n)
      throw std::out_of_range(where() + ": label " + std::to_string(c) + " of index " +
                              std::to_string(index) + " is not below num_classes " +
                              std::to_string(n));
    out[c < 0 ? c + n : c] = 1.0;
  }
  return out;
}

Sample BaseDataset::prepare(int64_t index) const {
  Sample sample;
  sample.info = info(index);
  sample.info.set("modality", Value(options_.modality));
  sample.info.set("start_index", Value(options_.start_index));
  const Value* label = sample.info.find("label");
  if (options_.multi_class && label && label->is_sequence()) {
    sample.set_tensor("label", onehot(*label, index));
  }
  return sample;
}

Sample BaseDataset::get(int64_t index, uint64_t seed) const {
  Sample sample = prepare(index);
  sample.rng.seed(seed);
  try {
    pipeline_.apply(sample);
  } catch (const std::exception& e) {
    const Dict& i = info(index);
    const Value* name = i.find("filename");
    if (!name) name = i.find("frame_dir");
    if (!name) name = i.find("video_name");
    throw std::runtime_error(type_name() + " (" + where() + ") index " + std::to_string(index) +
                             (name && name->is_str() ? " (" + name->as_str() + ")" : "") + ": " +
                             e.what());
  }
  return sample;
}

std::vector<Dict> BaseDataset::load_json_annotations() const {
  std::string text;
  for (const std::string& line : read_lines(options_.ann_file)) text += line + "\n";
  Value all = from_json(text, options_.ann_file);
  if (!all.is_list()) throw std::runtime_error(where() + ": expected a list of video infos");
  std::vector<Dict> infos;
  for (const Value& item : all.as_list()) {
    const std::string at = where() + ": entry " + std::to_string(infos.size());
    if (!item.is_dict()) throw std::runtime_error(at + " is not a dict");
    infos.push_back(item.as_dict());
  }
  if (infos.empty()) return infos;
  const std::string key = infos.front().contains("frame_dir") ? "frame_dir" : "filename";
  for (size_t i = 0; i < infos.size(); ++i) {
    const std::string at = where() + ": entry " + std::to_string(i);
    Dict& info = infos[i];
    const Value* path = info.find(key);
    if (!path || !path->is_str()) throw std::runtime_error(at + " has no string '" + key + "'");
    info.set(key, Value(with_prefix(path->as_str())));
    const Value* label = info.find("label");
    if (options_.multi_class) {
      if (!options_.num_classes)
        throw std::invalid_argument(where() + ": multi_class needs num_classes");
    } else {
      if (!label || !label->is_sequence() || label->as_list().size() != 1)
        throw std::runtime_error(at + ": 'label' must be a list of one label unless multi_class");
      info.set("label", label->as_list().front());
    }
  }
  return infos;
}

namespace {

std::vector<int64_t> topk_option(const Dict& metric_options) {
  const Value* m = metric_options.find("top_k_accuracy");
  const Value* topk = m && m->is_dict() ? m->as_dict().find("topk") : nullptr;
  if (!topk) return {1, 5};
  if (topk->is_int()) return {topk->as_int()};
  if (!topk->is_tuple())
    throw std::invalid_argument(std::string("topk must be int or tuple of int, but got ") +
                                topk->type_name());
  std::vector<int64_t> out;
  for (const Value& k : topk->as_list()) out.push_back(k.as_int());
  return out;
}

}  // namespace

Dict BaseDataset::evaluate(const torch::Tensor& results, const std::vector<std::string>& metrics_in,
                           const Dict& metric_options) const {
  std::vector<std::string> metrics = metrics_in;
  if (metrics.empty()) metrics.push_back("top_k_accuracy");
  if (results.dim() != 2 || results.size(0) != size())
    throw std::invalid_argument("The length of results is not equal to the dataset len: " +
                                std::to_string(results.dim() ? results.size(0) : 0) +
                                " != " + std::to_string(size()));
  for (const std::string& m : metrics)
    if (m != "top_k_accuracy" && m != "mean_class_accuracy" && m != "mean_average_precision" &&
        m != "mmit_mean_average_precision")
      throw std::invalid_argument("metric " + m + " is not supported");
  auto single_labels = [&](const std::string& metric) {
    std::vector<int64_t> labels;
    for (const Dict& info : video_infos_) {
      const Value& l = info.at("label");
      if (!l.is_int())
        throw std::invalid_argument(metric + " needs one integer label per sample (" + where() +
                                    " has " + repr(l) + ")");
      labels.push_back(l.as_int());
    }
    return labels;
  };
  Dict out;
  for (const std::string& metric : metrics) {
    if (metric == "top_k_accuracy") {
      std::vector<int64_t> topk = topk_option(metric_options);
      std::vector<int64_t> labels = single_labels(metric);
      std::vector<double> acc = top_k_accuracy(results, torch::tensor(labels), topk);
      for (size_t i = 0; i < topk.size(); ++i)
        out.set("top" + std::to_string(topk[i]) + "_acc", Value(acc[i]));
    } else if (metric == "mean_class_accuracy") {
      out.set(metric, Value(mean_class_accuracy(results, single_labels(metric))));
    } else {
      std::vector<torch::Tensor> rows;
      for (size_t i = 0; i < video_infos_.size(); ++i)
        rows.push_back(onehot(video_infos_[i].at("label"), static_cast<int64_t>(i)));
      torch::Tensor labels = torch::stack(rows);
      out.set(metric, Value(metric == "mean_average_precision"
                                ? mean_average_precision(results, labels)
                                : mmit_mean_average_precision(results, labels)));
    }
  }
  return out;
}

}  // namespace tubelet
