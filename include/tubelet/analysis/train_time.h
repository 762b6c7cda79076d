// `tubelet analyze-logs cal_train_time`: MMAction2's analyze_logs.py cal_train_time. Per
// epoch, the mean "time" of its entries that have one (each epoch's first left out unless
// include_outliers: it carries the loader's start-up); the slowest and fastest epoch, the
// standard deviation of the epoch means (population, as numpy's std) and the mean time of
// all those iterations.
#pragma once

#include <iosfwd>
#include <string>

#include "tubelet/analysis/json_log.h"

namespace tubelet::analysis {

struct TrainTime {
  int64_t slowest_epoch = 0;  // the epoch numbers as logged
  double slowest_time = 0;
  int64_t fastest_epoch = 0;
  double fastest_time = 0;
  double std_over_epochs = 0;
  double average_iter_time = 0;
};

// Throws std::invalid_argument when the log has no timed entries, or an epoch has none left
// once its first is dropped (--include-outliers keeps it).
TrainTime cal_train_time(const JsonLog& log, bool include_outliers = false);

// MMAction2's report: "-----Analyze train time of LOG-----", the slowest and fastest epoch,
// "time std over epochs is ...", "average iter time: ... s/iter", and an empty line.
void print_train_time(const std::string& log_name, const TrainTime& t, std::ostream& out);

}  // namespace tubelet::analysis
