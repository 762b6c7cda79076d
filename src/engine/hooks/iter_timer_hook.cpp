// mmcv's IterTimerHook: "data_time" (waiting for the batch) and "time" (the whole
// iteration) in the log buffer, so logs show whether data or compute is the bottleneck.
#include <chrono>

#include "tubelet/args.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

namespace {

class IterTimerHook : public Hook {
 public:
  std::string type() const override { return "IterTimerHook"; }
  void before_epoch(Runner&) override { start_ = Clock::now(); }
  void before_iter(Runner& runner) override {
    runner.log_buffer().update({{"data_time", seconds_since_start()}});
  }
  void after_iter(Runner& runner) override {
    runner.log_buffer().update({{"time", seconds_since_start()}});
    start_ = Clock::now();
  }

 private:
  using Clock = std::chrono::steady_clock;
  double seconds_since_start() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
  }
  Clock::time_point start_ = Clock::now();
};

std::shared_ptr<Hook> build_iter_timer_hook(Args&) {
  return std::make_shared<IterTimerHook>();
}

}  // namespace

TUBELET_REGISTER(HOOKS, IterTimerHook, build_iter_timer_hook);

}  // namespace tubelet
