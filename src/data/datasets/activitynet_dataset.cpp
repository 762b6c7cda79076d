#include "tubelet/data/datasets/activitynet_dataset.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "tubelet/checkpoint/results_file.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/localization/feature_file_writers.h"
#include "tubelet/evaluation/localization/activitynet_json.h"
#include "tubelet/evaluation/localization/activitynet_localization.h"
#include "tubelet/evaluation/localization/average_recall.h"
#include "tubelet/evaluation/localization/numpy_reductions.h"

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
      "ActivityNetDataset: evaluating score rows is not implemented; a localizer's proposal "
      "records are evaluated by evaluate_records");
}

namespace {

const Dict& options_for(const Dict& metric_options, const std::string& metric,
                        const std::vector<std::string>& allowed) {
  static const Dict none;
  const Value* o = metric_options.find(metric);
  if (!o || o->is_none()) return none;
  if (!o->is_dict())
    throw std::invalid_argument("metric_options['" + metric + "'] must be a dict, not " +
                                std::string(o->type_name()));
  for (const auto& [key, value] : o->as_dict())
    if (!key.is_str() || std::find(allowed.begin(), allowed.end(), key.as_str()) == allowed.end())
      throw std::invalid_argument("metric_options['" + metric + "'] has no option " + repr(key));
  return o->as_dict();
}

std::vector<double> thresholds_of(const Dict& options, const std::string& key) {
  const Value* t = options.find(key);
  if (!t) return default_temporal_iou_thresholds();
  std::vector<double> out;
  if (t->is_number()) return {t->as_float()};
  if (!t->is_sequence())
    throw std::invalid_argument(key + " must be a list of numbers, not " + t->type_name());
  for (const Value& x : t->as_list()) out.push_back(x.as_float());
  return out;
}

std::optional<double> max_avg_of(const Dict& options) {
  const Value* m = options.find("max_avg_proposals");
  if (!m) return 100.;
  if (m->is_none()) return std::nullopt;
  return m->as_float();
}

double column_mean(const AverageRecallResult& r, size_t column) {
  std::vector<double> c;
  for (const std::vector<double>& row : r.recall) c.push_back(row.at(column));
  return numpy_mean(c);
}

// One TEM record as MMAction2's dump_results writes it: np.savetxt of its rows.
void write_tem_csv(const Value& record, const std::filesystem::path& dir, size_t index) {
  const std::string at = "dump_results: record " + std::to_string(index);
  const Value* name = record.is_dict() ? record.as_dict().find("video_name") : nullptr;
  const Value* rows = record.is_dict() ? record.as_dict().find("tem_output") : nullptr;
  if (!name || !name->is_str() || !rows || !rows->is_sequence())
    throw std::invalid_argument(at + " is not {\"video_name\": str, \"tem_output\": rows}");
  std::vector<double> values;
  size_t width = 0;
  for (const Value& row : rows->as_list()) {
    if (!row.is_sequence())
      throw std::invalid_argument(at + " (video '" + name->as_str() + "'): a row is not a list");
    if (values.empty()) width = row.as_list().size();
    if (row.as_list().size() != width)
      throw std::invalid_argument(at + " (video '" + name->as_str() + "'): rows of unequal width");
    for (const Value& x : row.as_list()) values.push_back(x.as_float());
  }
  const auto n = static_cast<int64_t>(rows->as_list().size());
  torch::Tensor table =
      torch::tensor(values, torch::kDouble).reshape({n, static_cast<int64_t>(width)});
  save_csv_table((dir / (name->as_str() + ".csv")).string(), "action,start,end,tmin,tmax", table);
}

}  // namespace

Dict ActivityNetDataset::evaluate_records(const List& results,
                                          const std::vector<std::string>& metrics_in,
                                          const Dict& metric_options) const {
  std::vector<std::string> metrics = metrics_in;
  if (metrics.empty()) metrics.push_back("AR@AN");
  if (static_cast<int64_t>(results.size()) != size())
    throw std::invalid_argument("The length of results is not equal to the dataset len: " +
                                std::to_string(results.size()) + " != " + std::to_string(size()));
  for (const std::string& m : metrics)
    if (m != "AR@AN" && m != "mAP")
      throw std::invalid_argument("metric " + m + " is not supported");
  const std::vector<VideoGroundTruth> truth =
      import_activitynet_ground_truth(video_infos_, where());
  const std::vector<VideoProposals> proposals = import_proposal_records(results, "results");
  Dict out;
  for (const std::string& metric : metrics) {
    try {
      if (metric == "AR@AN") {
        const Dict& o =
            options_for(metric_options, metric, {"max_avg_proposals", "temporal_iou_thresholds"});
        AverageRecallResult r = average_recall_at_avg_proposals(
            truth, proposals, max_avg_of(o), thresholds_of(o, "temporal_iou_thresholds"));
        out.set("auc", Value(r.auc));
        for (size_t an : {1, 5, 10, 100})
          out.set("AR@" + std::to_string(an), Value(column_mean(r, an - 1)));
      } else {
        const Dict& o = options_for(metric_options, metric, {"tiou_thresholds"});
        const std::vector<double> thresholds = thresholds_of(o, "tiou_thresholds");
        DetectionMapResult r = activitynet_detection_map(truth, proposals, thresholds);
        for (size_t t = 0; t < thresholds.size(); ++t)
          out.set("mAP@" + float_repr(thresholds[t]), Value(r.map[t]));
        out.set("average_mAP", Value(r.average_map));
      }
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where() + ": " + e.what());
    }
  }
  return out;
}

void ActivityNetDataset::dump_records(const List& results, const Dict& output_config) const {
  std::string out, format, version = "VERSION 1.3";
  for (const auto& [key, value] : output_config) {
    const std::string name = key.is_str() ? key.as_str() : repr(key);
    std::string* target = name == "out"             ? &out
                          : name == "output_format" ? &format
                          : name == "version"       ? &version
                                                    : nullptr;
    if (!target)
      throw std::invalid_argument("dump_results() got an unexpected keyword argument '" + name +
                                  "'");
    if (!value.is_str()) throw std::invalid_argument("output_config." + name + " must be a string");
    *target = value.as_str();
  }
  if (out.empty()) throw std::invalid_argument("dump_results: output_config has no 'out'");
  if (format == "json") {
    Dict file;
    file.set("version", Value(version));
    file.set("results", Value(proposals_to_json(results, "results")));
    file.set("external_data", Value(Dict{}));
    dump_value_file(Value(file), out);  // mmcv.dump: a .pkl 'out' is a pickle of the dict
  } else if (format == "csv") {
    std::filesystem::create_directories(out);
    for (size_t i = 0; i < results.size(); ++i) write_tem_csv(results[i], out, i);
  } else {
    throw std::invalid_argument("The output format " +
                                (format.empty() ? std::string("(none)") : format) +
                                " is not supported.");
  }
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
