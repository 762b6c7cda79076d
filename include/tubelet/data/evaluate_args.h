// The keyword arguments of MMAction2's dataset.evaluate(results, metrics, metric_options,
// **deprecated_kwargs), as the `evaluation` dict (EvalHook), a config's `eval_config` and
// `tubelet test --eval/--eval-options` give them.
#pragma once

#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/config/value.h"

namespace tubelet {

struct EvaluateArgs {
  std::vector<std::string> metrics;  // empty: the dataset's default metrics
  Dict metric_options;               // empty: the dataset's defaults
};

// Takes `metrics` (a str or a list of str), `metric_options` and the deprecated `topk`
// (merged into metric_options.top_k_accuracy, as MMAction2 merges its deprecated kwargs)
// from `args`; the caller decides what other keys may be there.
EvaluateArgs read_evaluate_args(Args& args);

// A str or list of str argument (`fallback` when absent or None).
std::vector<std::string> read_string_list(Args& args, const char* key,
                                          std::vector<std::string> fallback = {});

}  // namespace tubelet
