#include "tubelet/progress_bar.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <ostream>
#include <string>

namespace tubelet {

ProgressBar::ProgressBar(int64_t task_num, std::ostream& out, ProgressBarOptions options)
    : task_num_(task_num), out_(out), options_(std::move(options)) {
  if (task_num_ > 0)
    out_ << "[" << std::string(static_cast<size_t>(std::max<int64_t>(options_.bar_width, 0)), ' ')
         << "] 0/" << task_num_ << ", elapsed: 0s, ETA:";
  else
    out_ << "completed: 0, elapsed: 0s";
  out_.flush();
  start_ = std::chrono::steady_clock::now();
}

double ProgressBar::elapsed() const {
  if (options_.elapsed) return options_.elapsed();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

int64_t ProgressBar::terminal_width() const {
  if (options_.terminal_width > 0) return options_.terminal_width;
  if (const char* columns = std::getenv("COLUMNS")) {
    int64_t n = std::atoll(columns);
    if (n > 0) return n;
  }
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

void ProgressBar::update(int64_t num_tasks) {
  completed_ += num_tasks;
  const double seconds = elapsed();
  const double fps = seconds > 0 ? static_cast<double>(completed_) / seconds
                                 : std::numeric_limits<double>::infinity();
  const long long elapsed_s = static_cast<long long>(seconds + 0.5);
  char text[160];
  if (task_num_ > 0) {
    const double fraction = static_cast<double>(completed_) / static_cast<double>(task_num_);
    const long long eta = static_cast<long long>(seconds * (1 - fraction) / fraction + 0.5);
    std::snprintf(text, sizeof text, "] %lld/%lld, %.1f task/s, elapsed: %llds, ETA: %5llds",
                  static_cast<long long>(completed_), static_cast<long long>(task_num_), fps,
                  elapsed_s, eta);
    // mmcv sizes the bar from its whole message, "\r[{}" included, then keeps the bar
    // within 60% of the terminal.
    const int64_t message_len = static_cast<int64_t>(std::string(text).size()) + 4;
    const int64_t width = terminal_width();
    int64_t bar = std::min({options_.bar_width, width - message_len + 2,
                            static_cast<int64_t>(static_cast<double>(width) * 0.6)});
    bar = std::max<int64_t>(2, bar);
    const int64_t marks =
        std::clamp<int64_t>(static_cast<int64_t>(static_cast<double>(bar) * fraction), 0, bar);
    out_ << "\r[" << std::string(static_cast<size_t>(marks), '>')
         << std::string(static_cast<size_t>(bar - marks), ' ') << text;
  } else {
    std::snprintf(text, sizeof text, "completed: %lld, elapsed: %llds, %.1f tasks/s",
                  static_cast<long long>(completed_), elapsed_s, fps);
    out_ << text;
  }
  out_.flush();
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  out_ << "\n";
  out_.flush();
}

}  // namespace tubelet
