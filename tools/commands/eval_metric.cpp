// tubelet eval-metric CONFIG RESULTS --eval top_k_accuracy ... [--eval-options k=v ...]
//                                    [--cfg-options k=v ...]
// MMAction2's tools/analysis/eval_metric.py: the metrics of a results file (.pkl or .json, from
// `tubelet test --out` or MMAction2's tools/test.py --out) on the config's test set. Prints
// "name: value" per metric, as `tubelet test` does (eval_metric.py prints the dict).
#include "tubelet/apis/eval_metric.h"
#include "commands.h"
#include "print_metrics.h"
#include "tubelet/config/config.h"

namespace tubelet::cli {

void add_eval_metric(CLI::App& app) {
  auto o = std::make_shared<EvalMetricOptions>();
  auto eval_options = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand(
      "eval-metric",
      "Evaluate a results file of `test --out` (MMAction2's tools/analysis/eval_metric.py)");
  cmd->add_option("config", o->config, "Config file")->required();
  cmd->add_option("results", o->results, "Results file (.pkl, .pickle or .json)")->required();
  cmd->add_option("--eval", o->eval, "Metrics, e.g. top_k_accuracy mean_class_accuracy")
      ->required();
  cmd->add_option("--eval-options", *eval_options,
                  "dataset.evaluate's arguments as key=value, e.g. topk=(1,3)")
      ->expected(0, -1);
  cmd->add_option("--cfg-options", o->cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->callback([o, eval_options] {
    EvalMetricOptions options = *o;
    for (const auto& item : *eval_options) {
      auto [key, value] = parse_cfg_option(item);
      options.eval_options.set(key, value);
    }
    print_metrics(eval_metric(options));
  });
}

}  // namespace tubelet::cli
