// mmcv's LogBuffer: scalars logged by each iteration, averaged by the logger hooks.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tubelet {

class LogBuffer {
 public:
  // Appends one value per name, weighted by `count` (the batch size).
  void update(const std::vector<std::pair<std::string, double>>& vars, int64_t count = 1);
  // Weighted mean of the last `n` values of each name (all when n <= 0) into output(), in
  // the order names were first seen; sets ready().
  void average(int64_t n = 0);
  void clear();         // history and output
  void clear_output();  // output only

  const std::vector<std::pair<std::string, double>>& output() const { return output_; }
  bool ready() const { return ready_; }
  // Sets or replaces an output value (hooks add "time", "data_time", eval results).
  void set_output(const std::string& name, double value);
  // Removes an output value and returns it (mmcv's output.pop(name)).
  std::optional<double> take_output(const std::string& name);
  // mmcv's `log_buffer.ready = True`: the output is complete for the loggers.
  void mark_ready() { ready_ = true; }
  bool has_history(const std::string& name) const { return history_.count(name) > 0; }

 private:
  std::vector<std::string> order_;
  std::map<std::string, std::vector<std::pair<double, int64_t>>> history_;
  std::vector<std::pair<std::string, double>> output_;
  bool ready_ = false;
};

}  // namespace tubelet
