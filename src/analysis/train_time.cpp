#include "tubelet/analysis/train_time.h"

#include <cmath>
#include <cstdio>
#include <ostream>
#include <stdexcept>
#include <vector>

namespace tubelet::analysis {

TrainTime cal_train_time(const JsonLog& log, bool include_outliers) {
  std::vector<std::pair<int64_t, double>> means;  // (epoch, mean time)
  double total = 0;
  int64_t count = 0;
  for (const EpochLog& epoch : log.epochs) {
    std::vector<double> times;
    for (const Dict& entry : epoch.entries)
      if (const Value* t = entry.find("time"); t && t->is_number()) times.push_back(t->as_float());
    if (times.empty()) continue;  // an epoch with only evaluation entries
    if (!include_outliers) times.erase(times.begin());
    if (times.empty())
      throw std::invalid_argument(log.path.string() + ": epoch " + std::to_string(epoch.epoch) +
                                  " has a single timed entry, which is left out as an outlier "
                                  "(use --include-outliers)");
    double sum = 0;
    for (double t : times) sum += t;
    means.emplace_back(epoch.epoch, sum / static_cast<double>(times.size()));
    total += sum;
    count += static_cast<int64_t>(times.size());
  }
  if (means.empty())
    throw std::invalid_argument(log.path.string() + " has no training entries with a time");
  TrainTime out;
  size_t slowest = 0, fastest = 0;
  double mean_of_means = 0;
  for (size_t i = 0; i < means.size(); ++i) {
    // Strict comparisons: the first of equal epochs wins, as numpy's argmax/argmin.
    if (means[i].second > means[slowest].second) slowest = i;
    if (means[i].second < means[fastest].second) fastest = i;
    mean_of_means += means[i].second;
  }
  mean_of_means /= static_cast<double>(means.size());
  double variance = 0;
  for (const auto& m : means) variance += (m.second - mean_of_means) * (m.second - mean_of_means);
  out.slowest_epoch = means[slowest].first;
  out.slowest_time = means[slowest].second;
  out.fastest_epoch = means[fastest].first;
  out.fastest_time = means[fastest].second;
  out.std_over_epochs = std::sqrt(variance / static_cast<double>(means.size()));
  out.average_iter_time = total / static_cast<double>(count);
  return out;
}

void print_train_time(const std::string& log_name, const TrainTime& t, std::ostream& out) {
  char line[256];
  out << "-----Analyze train time of " << log_name << "-----\n";
  std::snprintf(line, sizeof line, "slowest epoch %lld, average time is %.4f\n",
                static_cast<long long>(t.slowest_epoch), t.slowest_time);
  out << line;
  std::snprintf(line, sizeof line, "fastest epoch %lld, average time is %.4f\n",
                static_cast<long long>(t.fastest_epoch), t.fastest_time);
  out << line;
  std::snprintf(line, sizeof line, "time std over epochs is %.4f\n", t.std_over_epochs);
  out << line;
  std::snprintf(line, sizeof line, "average iter time: %.4f s/iter\n\n", t.average_iter_time);
  out << line;
}

}  // namespace tubelet::analysis
