// One key of a .log.json as a curve, with MMAction2's plot_curve placement: a training key
// (logged in 'train' entries: loss, top1_acc of the batch, lr, time...) is plotted against
// the iteration, iter + (epoch - 1) * (last logged iteration of that epoch); a validation
// metric (only in 'val' entries, as EvalHook writes them) has one point per evaluation,
// placed at its epoch, or at the iteration of the training entry logged just before it when
// it shares a plot with training keys.
#pragma once

#include <string>
#include <vector>

#include "tubelet/analysis/json_log.h"

namespace tubelet::analysis {

struct LogCurve {
  std::string key;
  bool validation = false;
  std::vector<double> iters;   // x in iterations
  std::vector<double> epochs;  // x in epochs
  std::vector<double> values;
};

// Throws std::invalid_argument naming the log, the key and the keys it holds when the key
// is not logged.
LogCurve log_curve(const JsonLog& log, const std::string& key);

}  // namespace tubelet::analysis
