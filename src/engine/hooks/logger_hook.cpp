#include "tubelet/engine/hooks/logger_hook.h"

#include "tubelet/engine/runner.h"

namespace tubelet {

LoggerHookOptions read_logger_hook_options(Args& args) {
  LoggerHookOptions o;
  o.interval = args.get<int64_t>("interval", 10);
  o.ignore_last = args.get("ignore_last", true);
  o.reset_flag = args.get("reset_flag", false);
  o.by_epoch = args.get("by_epoch", true);
  return o;
}

void LoggerHook::before_run(Runner& runner) {
  // As mmcv: the last logger registered clears the output once everyone has logged it.
  const auto& hooks = runner.hooks();
  for (auto it = hooks.rbegin(); it != hooks.rend(); ++it)
    if (auto* logger = dynamic_cast<LoggerHook*>(it->hook.get())) {
      logger->set_reset_flag(true);
      break;
    }
}

void LoggerHook::before_epoch(Runner& runner) {
  runner.log_buffer().clear();
}

void LoggerHook::after_train_iter(Runner& runner) {
  const int64_t n = options_.interval;
  if (options_.by_epoch && every_n_inner_iters(runner, n))
    runner.log_buffer().average(n);
  else if (!options_.by_epoch && every_n_iters(runner, n))
    runner.log_buffer().average(n);
  else if (end_of_epoch(runner) && !options_.ignore_last)
    runner.log_buffer().average(n);
  if (runner.log_buffer().ready()) log_and_maybe_reset(runner);
}

void LoggerHook::after_train_epoch(Runner& runner) {
  if (runner.log_buffer().ready()) log_and_maybe_reset(runner);
}

void LoggerHook::after_val_epoch(Runner& runner) {
  runner.log_buffer().average();
  log_and_maybe_reset(runner);
}

void LoggerHook::log_and_maybe_reset(Runner& runner) {
  log(runner);
  if (options_.reset_flag) runner.log_buffer().clear_output();
}

std::string LoggerHook::mode_of(Runner& runner) {
  if (runner.mode() == "train") {
    for (const auto& item : runner.log_buffer().output())
      if (item.first == "time") return "train";
    return "val";
  }
  return "val";
}

int64_t LoggerHook::epoch_of(const Runner& runner) {
  return runner.mode() == "train" ? runner.epoch() + 1 : runner.epoch();
}

int64_t LoggerHook::iter_of(const Runner& runner, bool inner_iter) const {
  return options_.by_epoch && inner_iter ? runner.inner_iter() + 1 : runner.iter() + 1;
}

}  // namespace tubelet
