#include "tubelet/apis/test.h"

#include <filesystem>
#include <iostream>
#include <map>

#include "tubelet/apis/run_device.h"
#include "tubelet/apis/train.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/checkpoint/results_file.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/config/error.h"
#include "tubelet/data/build_dataloader.h"
#include "tubelet/data/evaluate_args.h"
#include "tubelet/distributed/device.h"
#include "tubelet/distributed/dist_utils.h"
#include "tubelet/engine/multi_gpu_test.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/memory_format.h"
#include "tubelet/models/module_hook.h"
#include "tubelet/plugin.h"

namespace tubelet {

namespace {

// MMAction2's rule: model.test_cfg when the model has one, else the top-level test_cfg,
// else a new model.test_cfg.
void set_average_clips(Dict& cfg, const std::string& average_clips) {
  Value& model = *cfg.find("model");
  Dict& m = model.mutable_dict();
  Value* test_cfg = m.find("test_cfg");
  if ((!test_cfg || test_cfg->is_none()) && cfg.contains("test_cfg") &&
      cfg.at("test_cfg").is_dict())
    test_cfg = cfg.find("test_cfg");
  if (!test_cfg || test_cfg->is_none()) {
    m.set("test_cfg", Value(Dict{}));
    test_cfg = m.find("test_cfg");
  }
  test_cfg->mutable_dict().set("average_clips", Value(average_clips));
}

Dict per_class_accuracy(const Dataset& dataset, const torch::Tensor& results) {
  std::map<int64_t, std::pair<int64_t, int64_t>> hits;  // label -> (right, total)
  auto predicted = results.argmax(1);
  for (int64_t i = 0; i < results.size(0); ++i) {
    const Value* label = dataset.info(i).find("label");
    if (!label || !label->is_int())
      throw std::invalid_argument("--per-class-accuracy needs one int label per video");
    auto& [right, total] = hits[label->as_int()];
    right += predicted[i].item<int64_t>() == label->as_int();
    ++total;
  }
  Dict out;
  for (const auto& [label, counts] : hits)
    out.set("class " + std::to_string(label),
            Value(static_cast<double>(counts.first) / static_cast<double>(counts.second)));
  return out;
}

// tools/test.py's output_config: the config's, with --out overriding its 'out'.
Dict output_config(const Dict& cfg, const std::optional<std::string>& out) {
  Dict config;
  if (const Value* c = cfg.find("output_config"); c && c->is_dict()) config = c->as_dict();
  if (out) config.set("out", Value(*out));
  return config;
}

// data.test.type, or "" when the config does not say.
std::string test_dataset_type(const Dict& cfg) {
  const Value* data = cfg.find("data");
  const Value* test = data && data->is_dict() ? data->as_dict().find("test") : nullptr;
  const Value* type = test && test->is_dict() ? test->as_dict().find("type") : nullptr;
  return type && type->is_str() ? type->as_str() : "";
}

// tools/test.py's eval_config: the config's, its metrics replaced by --eval, --eval-options
// merged in. Evaluation happens when it is not empty (no metrics: the dataset's defaults).
std::optional<EvaluateArgs> evaluate_args(const TestOptions& o, const Dict& cfg) {
  Dict config;
  if (const Value* c = cfg.find("eval_config"); c && c->is_dict()) config = c->as_dict();
  if (!o.eval.empty()) {
    List metrics;
    for (const auto& name : o.eval) metrics.push_back(Value(name));
    config.set("metrics", Value::list(std::move(metrics)));
  }
  for (const auto& [key, value] : o.eval_options.items()) config.set(key, value);
  if (config.empty()) return std::nullopt;
  Args args(Value(config), "evaluate", "eval_config (with --eval and --eval-options)");
  EvaluateArgs e = read_evaluate_args(args);
  args.finish();
  return e;
}

// A localizer's results: records (one proposal list per video) instead of score rows, dumped
// with the dataset's dump_results (output_config: out, output_format) and evaluated by it.
Dict finish_localizer_test(const TestOptions& o, const Dict& cfg, const Dataset& dataset,
                           const List& records) {
  const Dict output = output_config(cfg, o.out);
  if (const Value* out = output.find("out"); out && is_truthy(*out))
    dataset.dump_records(records, output);
  const auto e = evaluate_args(o, cfg);
  if (!e) return {};
  return dataset.evaluate_records(records, e->metrics, e->metric_options);
}

}  // namespace

Dict test(const TestOptions& o) {
  Dict cfg = load_config_for_command(o.config, o.cfg_options);
  if (!cfg.contains("model")) throw ConfigError(o.config + ": the config has no 'model'");
  if (o.average_clips) set_average_clips(cfg, *o.average_clips);
  // As tools/test.py: with an output_format (localization configs) or an AVADataset (the
  // official .csv) the dataset's dump_results decides what 'out' is; otherwise it must be a
  // results file mmcv.dump writes.
  if (o.out && !output_config(cfg, o.out).contains("output_format") &&
      test_dataset_type(cfg) != "AVADataset" && !is_results_file_name(*o.out))
    throw std::invalid_argument("--out: the results file must be .json, .pkl or .pickle (got " +
                                *o.out + ")");

  // As tools/test.py: the process group before the data and model are read, so every rank
  // fails alike (a bad run-level key fails every rank before any of them waits for the others).
  const RunConfig run = read_run_config(cfg);
  const RunPlacement place = place_run(run, o.launcher, o.device);
  const dist::DistInfo& dist_info = place.info;
  const torch::Device& device = place.device;
  const Dict& data = data_block(cfg);
  auto dataset = build_dataset(data, "test", true);
  DataLoaderOptions lo = dataloader_options(data, "test");
  lo.shuffle = false;
  auto loader = build_dataloader(dataset, lo, place.loader());

  auto model = build_model(cfg.at("model"), "model");
  if (const Value* hooks = cfg.find("module_hooks")) register_module_hooks(*model, *hooks);
  auto report =
      checkpoint::load_state_dict(*model, checkpoint::load_checkpoint(o.checkpoint).state_dict);
  if (!report.ok()) std::cerr << report.message() << "\n";
  model->to(device);
  if (run.channels_last) to_channels_last(*model);
  auto* trainable = dynamic_cast<Trainable*>(model.get());
  if (!trainable) throw std::invalid_argument("the model cannot be tested (it has no test_step)");

  SingleGpuTestOptions to;
  // multi_gpu_test: rank 0's bar counts its own share (the loader's num_samples).
  to.show_progress = o.show_progress && dist_info.rank == 0;
  if (trainable->gives_records() && o.per_class_accuracy)
    throw std::invalid_argument("--per-class-accuracy is for recognizers, not localizers");
  const TestResults tested = multi_gpu_test(*trainable, *model, *loader, dataset->size(), to);
  if (dist_info.rank != 0) return {};
  if (tested.is_records) return finish_localizer_test(o, cfg, *dataset, tested.records);
  const torch::Tensor& results = tested.rows;
  if (o.out) dump_score_rows(results, *o.out);
  Dict metrics;
  if (o.per_class_accuracy) metrics = per_class_accuracy(*dataset, results);
  const auto e = evaluate_args(o, cfg);
  if (!e) return metrics;
  Dict evaluated = dataset->evaluate(results, e->metrics, e->metric_options);
  for (const auto& [name, value] : metrics.items()) evaluated.set(name, value);
  return evaluated;
}

}  // namespace tubelet
