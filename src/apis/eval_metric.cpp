#include "tubelet/apis/eval_metric.h"

#include <stdexcept>

#include "tubelet/apis/run_config.h"
#include "tubelet/apis/train.h"
#include "tubelet/args.h"
#include "tubelet/checkpoint/results_file.h"
#include "tubelet/config/error.h"
#include "tubelet/data/evaluate_args.h"
#include "tubelet/plugin.h"

namespace tubelet {

namespace eval_metric_impl {
namespace {

// ActivityNetDataset.dump_results(output_format='json'): {"version", "results": {id: proposal
// list}, "external_data"}. Its videos as records again, in the file's order.
std::optional<List> activitynet_records(const Value& v) {
  if (!v.is_dict()) return std::nullopt;
  const Value* results = v.as_dict().find("results");
  if (!results || !results->is_dict() || !v.as_dict().contains("version")) return std::nullopt;
  List records;
  for (const auto& [id, proposals] : results->as_dict()) {
    if (!id.is_str()) return std::nullopt;
    Dict record;
    record.set("video_name", Value("v_" + id.as_str()));
    record.set("proposal_list", proposals);
    records.push_back(Value(std::move(record)));
  }
  return records;
}

}  // namespace
}  // namespace eval_metric_impl

Dict eval_metric(const EvalMetricOptions& o) {
  if (o.eval.empty())
    throw std::invalid_argument("--eval is required: the metrics to compute (e.g. top_k_accuracy)");
  Dict cfg = load_config_for_command(o.config, o.cfg_options);
  data_block(cfg);  // a ConfigError when there is none
  // cfg.data.test.test_mode = True
  if (Value* test = cfg.find("data")->mutable_dict().find("test"); test && test->is_dict())
    test->mutable_dict().set("test_mode", Value(true));
  auto dataset = build_dataset(data_block(cfg), "test", true);
  const ResultsFile results = load_results_file(o.results);

  Dict kwargs = read_run_config(cfg).evaluation.as_dict();
  for (const char* key :
       {"interval", "tmpdir", "start", "gpu_collect", "save_best", "rule", "by_epoch"})
    kwargs.erase(key);
  List metrics;
  for (const auto& name : o.eval) metrics.push_back(Value(name));
  kwargs.set("metrics", Value::list(std::move(metrics)));
  for (const auto& [key, value] : o.eval_options.items()) {
    if (key.is_str() && key.as_str() == "metrics")
      throw std::invalid_argument(
          "--eval-options: 'metrics' is given by --eval (evaluate() got multiple values for "
          "keyword argument 'metrics')");
    kwargs.set(key, value);
  }
  Args args(Value(kwargs), "evaluate", "evaluation (with --eval and --eval-options)");
  const EvaluateArgs e = read_evaluate_args(args);
  args.finish();

  const bool empty = results.value.is_list() && results.value.as_list().empty();
  if (results.rows && !empty) return dataset->evaluate(*results.rows, e.metrics, e.metric_options);
  if (results.value.is_list() && !empty)
    return dataset->evaluate_records(results.value.as_list(), e.metrics, e.metric_options);
  if (auto records = eval_metric_impl::activitynet_records(results.value))
    return dataset->evaluate_records(*records, e.metrics, e.metric_options);
  if (empty)
    throw std::invalid_argument(o.results + ": no results (an empty list) for a test set of " +
                                std::to_string(dataset->size()) + " videos");
  throw std::invalid_argument(o.results +
                              ": results must be a list (score arrays or proposal "
                              "records), not a " +
                              std::string(results.value.type_name()));
}

}  // namespace tubelet
