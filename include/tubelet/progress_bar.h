// mmcv's ProgressBar: "[>>>>>     ] 12/40, 3.1 task/s, elapsed: 4s, ETA:     9s", redrawn in
// place (carriage return) after each finished task; "completed: N, elapsed: Ts, R tasks/s"
// when the number of tasks is unknown. Evaluation and `tubelet test` draw it on stderr so
// stdout stays for results.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>

namespace tubelet {

struct ProgressBarOptions {
  int64_t bar_width = 50;
  // Columns of the terminal; 0 asks the terminal (COLUMNS, then stderr's size, else 80,
  // as Python's shutil.get_terminal_size).
  int64_t terminal_width = 0;
  // Seconds since start(); the steady clock when empty (tests give a fixed clock).
  std::function<double()> elapsed;
};

class ProgressBar {
 public:
  // task_num <= 0: the count is unknown. Draws the empty bar at once, as mmcv does.
  ProgressBar(int64_t task_num, std::ostream& out, ProgressBarOptions options = {});
  void update(int64_t num_tasks = 1);
  // Ends the line (mmcv's callers write the '\n').
  void finish();
  int64_t completed() const { return completed_; }

 private:
  double elapsed() const;
  int64_t terminal_width() const;

  int64_t task_num_;
  std::ostream& out_;
  ProgressBarOptions options_;
  int64_t completed_ = 0;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace tubelet
