// The runner's hook interface (mmcv's Hook) and the HOOKS registry's base type.
//
// A hook overrides the points it needs. The train/val variants call the generic ones by
// default (before_train_epoch -> before_epoch), as in mmcv, so a hook that does the same in
// both modes overrides only the generic point.
#pragma once

#include <string>

#include "tubelet/engine/registries.h"

namespace tubelet {

class Runner;

class Hook {
 public:
  virtual ~Hook() = default;

  virtual void before_run(Runner&) {}
  virtual void after_run(Runner&) {}
  virtual void before_epoch(Runner&) {}
  virtual void after_epoch(Runner&) {}
  virtual void before_iter(Runner&) {}
  virtual void after_iter(Runner&) {}

  virtual void before_train_epoch(Runner& runner) { before_epoch(runner); }
  virtual void before_val_epoch(Runner& runner) { before_epoch(runner); }
  virtual void after_train_epoch(Runner& runner) { after_epoch(runner); }
  virtual void after_val_epoch(Runner& runner) { after_epoch(runner); }
  virtual void before_train_iter(Runner& runner) { before_iter(runner); }
  virtual void before_val_iter(Runner& runner) { before_iter(runner); }
  virtual void after_train_iter(Runner& runner) { after_iter(runner); }
  virtual void after_val_iter(Runner& runner) { after_iter(runner); }

  // The class name as registered ("StepLrUpdaterHook"), for the hook table in the log.
  virtual std::string type() const = 0;
};

// mmcv's Hook helpers on the runner's position.
bool every_n_epochs(const Runner& runner, int64_t n);
bool every_n_inner_iters(const Runner& runner, int64_t n);
bool every_n_iters(const Runner& runner, int64_t n);
bool end_of_epoch(const Runner& runner);
bool is_last_epoch(const Runner& runner);
bool is_last_iter(const Runner& runner);

}  // namespace tubelet
