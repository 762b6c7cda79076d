#include "tubelet/data/datasets/ava_dataset.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "tubelet/checkpoint/pickle.h"
#include "tubelet/config/dump.h"

namespace tubelet {

namespace {

std::vector<std::string> ava_split_commas(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    out.push_back(
        line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::string ava_strip(const std::string& s) {
  const char* ws = " \t\n\r\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

int64_t ava_int(const std::string& text, const std::string& at, const char* what) {
  std::optional<int64_t> v = parse_int(ava_strip(text));
  if (!v) throw std::runtime_error(at + ": " + what + " '" + text + "' is not an integer");
  return *v;
}

double ava_float(const std::string& text, const std::string& at, const char* what) {
  const std::string s = ava_strip(text);
  char* end = nullptr;
  const double v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || s.find_first_of("xXpP") != std::string::npos)
    throw std::runtime_error(at + ": " + what + " '" + text + "' is not a number");
  return v;
}

// Python's seq[:n].
int64_t ava_slice_end(int64_t size, int64_t n) {
  if (n < 0) return std::max<int64_t>(0, size + n);
  return std::min(size, n);
}

struct AvaRecord {
  std::array<double, 4> box;
  int64_t label;
  int64_t entity_id;
  int64_t line;
};

}  // namespace

AVADataset::AVADataset(BaseDatasetOptions base, AVADatasetOptions options)
    : BaseDataset(std::move(base)), ava_(std::move(options)) {
  if (!ava_.custom_classes.empty()) {
    const int64_t num_classes = options_.num_classes.value_or(81);
    if (num_classes != static_cast<int64_t>(ava_.custom_classes.size()) + 1)
      throw std::invalid_argument("AVADataset: num_classes (" + std::to_string(num_classes) +
                                  ") must be len(custom_classes) + 1 (" +
                                  std::to_string(ava_.custom_classes.size() + 1) + ")");
    if (std::find(ava_.custom_classes.begin(), ava_.custom_classes.end(), 0) !=
        ava_.custom_classes.end())
      throw std::invalid_argument("AVADataset: custom_classes must not hold 0");
    if (!ava_.label_file)
      throw std::invalid_argument("AVADataset: custom_classes needs a label_file");
    const AvaLabelMap map = read_ava_labelmap(*ava_.label_file);
    for (int64_t id : ava_.custom_classes)
      if (!map.class_ids.count(id))
        throw std::invalid_argument("AVADataset: custom class " + std::to_string(id) +
                                    " is not in the label_file " + *ava_.label_file);
    custom_classes_.push_back(0);
    custom_classes_.insert(custom_classes_.end(), ava_.custom_classes.begin(),
                           ava_.custom_classes.end());
  }
  if (!(ava_.person_det_score_thr >= 0 && ava_.person_det_score_thr <= 1))
    throw std::invalid_argument("AVADataset: The value of person_det_score_thr should in [0, 1].");
  load();

  if (ava_.proposal_file) {
    const std::string& file = *ava_.proposal_file;
    checkpoint::Pickle pickle;
    try {
      pickle = checkpoint::load_pickle_file(file);
    } catch (const checkpoint::CheckpointError& e) {
      throw std::runtime_error(std::string("AVADataset: proposal_file: ") + e.what());
    }
    if (!pickle.root->is(checkpoint::PyObject::Kind::Dict))
      throw std::runtime_error("AVADataset: proposal_file " + file +
                               " must hold a dict of 'video_id,timestamp' -> array, not a " +
                               pickle.root->type_name());
    for (const auto& [k, v] : pickle.root->entries) {
      if (!k->is(checkpoint::PyObject::Kind::Str))
        throw std::runtime_error("AVADataset: proposal_file " + file + ": a key is a " +
                                 k->type_name() + ", not a 'video_id,timestamp' str");
      if (!v->is(checkpoint::PyObject::Kind::Tensor) || !v->tensor.defined())
        throw std::runtime_error("AVADataset: proposal_file " + file + ": '" + k->s + "' is a " +
                                 v->type_name() + ", not a numpy array");
      proposals_[k->s] = v->tensor;
    }
    proposal_file_loaded_ = true;
  }

  if (!options_.test_mode && ava_.exclude_file) {
    const std::string& file = *ava_.exclude_file;
    std::set<std::pair<std::string, int64_t>> excluded;
    const std::vector<std::string> lines = read_lines(file);
    for (size_t n = 0; n < lines.size(); ++n) {
      const std::vector<std::string> f = ava_split_commas(ava_strip(lines[n]));
      const std::string at = file + ":" + std::to_string(n + 1);
      if (f.size() != 2)
        throw std::runtime_error("AVADataset: " + at + ": expected 'video_id,timestamp', got " +
                                 std::to_string(f.size()) + " fields");
      excluded.emplace(f[0], ava_int(f[1], at, "timestamp"));
    }
    std::vector<Dict> kept;
    for (Dict& info : video_infos_)
      if (!excluded.count({info.at("video_id").as_str(), info.at("timestamp").as_int()}))
        kept.push_back(std::move(info));
    video_infos_ = std::move(kept);
  }
}

std::vector<Dict> AVADataset::load_annotations() const {
  const int64_t num_classes = options_.num_classes.value_or(81);
  const std::vector<std::string> lines = read_lines(options_.ann_file);
  std::vector<std::string> keys;
  std::unordered_map<std::string, std::vector<AvaRecord>> by_key;
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string at = "AVADataset: " + where(static_cast<int64_t>(n) + 1);
    const std::vector<std::string> f = ava_split_commas(ava_strip(lines[n]));
    if (f.size() < 7)
      throw std::runtime_error(at +
                               ": expected 8 comma-separated fields (video_id, timestamp, "
                               "x1, y1, x2, y2, action_id, entity_id), got " +
                               std::to_string(f.size()));
    int64_t label = ava_int(f[6], at, "action_id");
    if (!custom_classes_.empty()) {
      auto it = std::find(custom_classes_.begin(), custom_classes_.end(), label);
      if (it == custom_classes_.end()) continue;
      label = it - custom_classes_.begin();
    }
    const int64_t timestamp = ava_int(f[1], at, "timestamp");
    AvaRecord r{};
    for (size_t i = 0; i < 4; ++i) r.box[i] = ava_float(f[2 + i], at, "box coordinate");
    if (f.size() < 8) throw std::runtime_error(at + ": the entity_id (8th field) is missing");
    r.entity_id = ava_int(f[7], at, "entity_id");
    if (label < 0 || label >= num_classes)
      throw std::runtime_error(at + ": action_id " + f[6] + " is outside the " +
                               std::to_string(num_classes) + " classes (num_classes)");
    r.label = label;
    r.line = static_cast<int64_t>(n) + 1;
    const std::string key = ava_image_key(f[0], timestamp);
    auto [it, fresh] = by_key.try_emplace(key);
    if (fresh) keys.push_back(key);
    it->second.push_back(r);
  }
  const Value shot_info = Value::tuple(
      {Value(int64_t{0}), Value((ava_.timestamp_end - ava_.timestamp_start) * ava_.fps)});
  std::vector<Dict> infos;
  for (const std::string& key : keys) {
    // parse_img_record: the records of one entity box merged, labels one-hot.
    std::vector<AvaRecord> records = by_key.at(key);
    List bboxes, labels, entity_ids;
    while (!records.empty()) {
      const AvaRecord first = records.front();
      std::vector<double> onehot(static_cast<size_t>(num_classes), 0.0);
      std::vector<AvaRecord> rest;
      for (const AvaRecord& r : records) {
        if (r.box == first.box)
          onehot[static_cast<size_t>(r.label)] = 1.0;
        else
          rest.push_back(r);
      }
      List box, row;
      for (double x : first.box) box.emplace_back(x);
      for (double x : onehot) row.emplace_back(x);
      bboxes.push_back(Value::list(std::move(box)));
      labels.push_back(Value::list(std::move(row)));
      entity_ids.emplace_back(first.entity_id);
      records = std::move(rest);
    }
    const size_t comma = key.find(',');
    const std::string video_id = key.substr(0, comma);
    Dict ann;
    ann.set("gt_bboxes", Value::list(std::move(bboxes)));
    ann.set("gt_labels", Value::list(std::move(labels)));
    ann.set("entity_ids", Value::list(std::move(entity_ids)));
    Dict info;
    info.set("frame_dir", Value(with_prefix(video_id)));
    info.set("video_id", Value(video_id));
    info.set("timestamp", Value(*parse_int(key.substr(comma + 1))));
    info.set("img_key", Value(key));
    info.set("shot_info", shot_info);
    info.set("fps", Value(ava_.fps));
    info.set("ann", Value(std::move(ann)));
    infos.push_back(std::move(info));
  }
  return infos;
}

const torch::Tensor* AVADataset::proposals(const std::string& img_key) const {
  auto it = proposals_.find(img_key);
  return it == proposals_.end() ? nullptr : &it->second;
}

namespace {

torch::Tensor ava_rows_tensor(const Value& rows, torch::ScalarType dtype, int64_t width) {
  std::vector<double> flat;
  for (const Value& row : rows.as_list())
    for (const Value& x : row.as_list()) flat.push_back(x.as_float());
  const auto n = static_cast<int64_t>(rows.as_list().size());
  return torch::tensor(flat, torch::kFloat64).reshape({n, width}).to(dtype);
}

}  // namespace

Sample AVADataset::prepare(int64_t index) const {
  Sample sample;
  sample.info = info(index);
  const std::string img_key = sample.info.at("img_key").as_str();
  const Dict ann = sample.info.at("ann").as_dict();
  sample.info.erase("ann");
  sample.info.set("filename_tmpl", Value(ava_.filename_tmpl));
  sample.info.set("modality", Value(options_.modality));
  sample.info.set("start_index", Value(options_.start_index));
  sample.info.set("timestamp_start", Value(ava_.timestamp_start));
  sample.info.set("timestamp_end", Value(ava_.timestamp_end));
  if (proposal_file_loaded_) {
    const torch::Tensor* found = proposals(img_key);
    if (!found) {
      sample.set_tensor("proposals", torch::tensor({0, 0, 1, 1}, torch::kInt64).reshape({1, 4}));
      sample.info.set("scores", Value::list({Value(int64_t{1})}));
    } else {
      torch::Tensor p = *found;
      const std::string at =
          "AVADataset: proposal_file " + *ava_.proposal_file + ": '" + img_key + "'";
      if (p.dim() < 1 || (p.size(-1) != 4 && p.size(-1) != 5))
        throw std::runtime_error(at + " must be an [n, 4] or [n, 5] array, got shape " +
                                 c10::str(p.sizes()));
      if (p.dim() != 2)
        throw std::runtime_error(at + " must be a 2-D array, got shape " + c10::str(p.sizes()));
      if (p.size(1) == 5) {
        if (p.size(0) == 0)
          throw std::runtime_error(at + " has no proposals (max() of an empty array)");
        const torch::Tensor s = p.select(1, 4).to(torch::kFloat64);
        const double thr = std::min(ava_.person_det_score_thr, s.max().item<double>());
        p = p.index({s >= thr});
        p = p.slice(0, 0, ava_slice_end(p.size(0), ava_.num_max_proposals));
        List scores;
        const torch::Tensor kept = p.select(1, 4).to(torch::kFloat64).contiguous();
        for (int64_t i = 0; i < kept.size(0); ++i) scores.emplace_back(kept[i].item<double>());
        sample.set_tensor("proposals", p.slice(1, 0, 4).contiguous());
        sample.info.set("scores", Value::list(std::move(scores)));
      } else {
        sample.set_tensor("proposals",
                          p.slice(0, 0, ava_slice_end(p.size(0), ava_.num_max_proposals)));
      }
    }
  }
  const auto& boxes = ann.at("gt_bboxes");
  const auto& labels = ann.at("gt_labels");
  sample.set_tensor("gt_bboxes", ava_rows_tensor(boxes, torch::kFloat64, 4));
  sample.set_tensor("gt_labels",
                    ava_rows_tensor(labels, torch::kFloat32, options_.num_classes.value_or(81)));
  sample.info.set("entity_ids", ann.at("entity_ids"));
  return sample;
}

Dict AVADataset::evaluate(const torch::Tensor&, const std::vector<std::string>&,
                          const Dict&) const {
  throw std::invalid_argument(
      "AVADataset: results must be per-sample lists of per-class boxes (a detector's output), "
      "evaluated by evaluate_records, not score rows");
}

std::vector<AvaDetectionRow> AVADataset::detection_rows(const List& results) const {
  if (static_cast<int64_t>(results.size()) != size())
    throw std::invalid_argument("AVADataset: " + std::to_string(results.size()) +
                                " results for a dataset of " + std::to_string(size()) + " samples");
  std::vector<AvaDetectionRow> rows;
  for (size_t idx = 0; idx < results.size(); ++idx) {
    const std::string at = "AVADataset: results[" + std::to_string(idx) + "]";
    const Dict& info = video_infos_[idx];
    if (!results[idx].is_sequence())
      throw std::invalid_argument(at + " must be a list of per-class box lists, not a " +
                                  std::string(results[idx].type_name()));
    const List& classes = results[idx].as_list();
    for (size_t label = 0; label < classes.size(); ++label) {
      int64_t actual = static_cast<int64_t>(label) + 1;
      if (!custom_classes_.empty()) {
        if (label + 1 >= custom_classes_.size())
          throw std::invalid_argument(
              at + " has " + std::to_string(classes.size()) + " classes, more than the " +
              std::to_string(custom_classes_.size() - 1) + " custom_classes");
        actual = custom_classes_[label + 1];
      }
      if (!classes[label].is_sequence())
        throw std::invalid_argument(at + "[" + std::to_string(label) +
                                    "] must be a list of [x1, y1, x2, y2, score] rows");
      for (const Value& box : classes[label].as_list()) {
        if (!box.is_sequence() || box.as_list().size() != 5)
          throw std::invalid_argument(at + "[" + std::to_string(label) +
                                      "]: each box must be [x1, y1, x2, y2, score]");
        AvaDetectionRow r;
        r.video_id = info.at("video_id").as_str();
        r.timestamp = info.at("timestamp").as_int();
        for (size_t i = 0; i < 4; ++i) r.box[i] = box.as_list()[i].as_float();
        r.label = actual;
        r.score = box.as_list()[4].as_float();
        rows.push_back(std::move(r));
      }
    }
  }
  return rows;
}

void AVADataset::dump_records(const List& results, const Dict& output_config) const {
  std::string out;
  for (const auto& [key, value] : output_config.items()) {
    if (key.is_str() && key.as_str() == "out" && value.is_str()) {
      out = value.as_str();
    } else {
      throw std::invalid_argument("AVADataset.dump_results takes only 'out' (a .csv path), got " +
                                  repr(key));
    }
  }
  if (out.size() < 3 || out.compare(out.size() - 3, 3, "csv") != 0)
    throw std::invalid_argument("AVADataset: the output file must be a .csv, got '" + out + "'");
  write_ava_results_csv(out, detection_rows(results));
}

Dict AVADataset::evaluate_records(const List& results, const std::vector<std::string>& metrics,
                                  const Dict&) const {
  if (!(metrics.empty() || (metrics.size() == 1 && metrics[0] == "mAP")))
    throw std::invalid_argument(
        "For evaluation on AVADataset, you need to use metrics \"mAP\" See "
        "https://github.com/open-mmlab/mmaction2/pull/567 for more info.");
  if (!ava_.label_file) throw std::invalid_argument("AVADataset: evaluating needs a label_file");
  static std::atomic<uint64_t> counter{0};
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  const std::filesystem::path temp =
      std::filesystem::temp_directory_path() /
      ("AVA_" + std::to_string(stamp) + "_" + std::to_string(counter++) + "_result.csv");
  AvaEvalResult r;
  try {
    write_ava_results_csv(temp.string(), detection_rows(results));
    r = ava_eval(temp.string(), *ava_.label_file, options_.ann_file, ava_.exclude_file,
                 custom_classes_);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    throw;
  }
  std::error_code ec;
  std::filesystem::remove(temp, ec);
  Dict out;
  out.set("mAP@0.5IOU", Value(r.mean_ap));
  return out;
}

std::shared_ptr<Dataset> AVADataset::from_config(Args& args) {
  BaseDatasetOptions o;
  AVADatasetOptions a;
  o.ann_file = args.required<std::string>("ann_file");
  a.exclude_file = args.required<std::optional<std::string>>("exclude_file");
  o.pipeline = args.required<Value>("pipeline");
  o.pipeline_path = args.path() + ".pipeline";
  a.label_file = args.get<std::optional<std::string>>("label_file", std::nullopt);
  a.filename_tmpl = args.get("filename_tmpl", "img_{:05}.jpg");
  o.start_index = args.get<int64_t>("start_index", 0);
  a.proposal_file = args.get<std::optional<std::string>>("proposal_file", std::nullopt);
  a.person_det_score_thr = args.get<double>("person_det_score_thr", 0.9);
  o.num_classes = args.get<int64_t>("num_classes", 81);
  const Value custom = args.get<Value>("custom_classes", Value());
  if (!custom.is_none()) {
    if (!custom.is_sequence() || custom.as_list().empty())
      throw args.error("custom_classes", "custom_classes must be a non-empty list of class ids");
    for (const Value& id : custom.as_list()) {
      if (!id.is_int()) throw args.error("custom_classes", "custom_classes must hold ints");
      a.custom_classes.push_back(id.as_int());
    }
  }
  o.data_prefix = args.get<std::optional<std::string>>("data_prefix", std::nullopt);
  o.test_mode = args.get("test_mode", false);
  o.modality = args.get("modality", "RGB");
  a.num_max_proposals = args.get<int64_t>("num_max_proposals", 1000);
  a.timestamp_start = args.get<int64_t>("timestamp_start", 900);
  a.timestamp_end = args.get<int64_t>("timestamp_end", 1800);
  a.fps = args.get<int64_t>("fps", 30);
  args.finish();  // an unknown argument is reported before any file is read
  return std::make_shared<AVADataset>(std::move(o), std::move(a));
}

TUBELET_REGISTER(DATASETS, AVADataset, AVADataset::from_config);

}  // namespace tubelet
