// mmcv's LoggerHook: when to average the log buffer and hand it to a logger (text, JSON,
// TensorBoard). Concrete loggers implement log().
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/engine/hook.h"

namespace tubelet {

struct LoggerHookOptions {
  int64_t interval = 10;
  bool ignore_last = true;
  bool reset_flag = false;
  bool by_epoch = true;
};
// interval, ignore_last, reset_flag, by_epoch with mmcv's defaults.
LoggerHookOptions read_logger_hook_options(Args& args);

class LoggerHook : public Hook {
 public:
  explicit LoggerHook(LoggerHookOptions options) : options_(options) {}

  void before_run(Runner& runner) override;
  void before_epoch(Runner& runner) override;
  void after_train_iter(Runner& runner) override;
  void after_train_epoch(Runner& runner) override;
  void after_val_epoch(Runner& runner) override;

  // Makes the last registered logger clear the buffer output after logging.
  void set_reset_flag(bool reset) { options_.reset_flag = reset; }

 protected:
  virtual void log(Runner& runner) = 0;
  // "train" while training iterations are timed, "val" otherwise (mmcv's get_mode).
  static std::string mode_of(Runner& runner);
  // 1-based epoch while training, the finished epoch's number in val.
  static int64_t epoch_of(const Runner& runner);
  // 1-based (inner) iteration.
  int64_t iter_of(const Runner& runner, bool inner_iter) const;

  LoggerHookOptions options_;

 private:
  void log_and_maybe_reset(Runner& runner);
};

}  // namespace tubelet
