// mmcv's MomentumUpdaterHook: sets every param group's momentum (its `momentum` option, or
// betas[0] for Adam-like optimizers) before each training iteration (or epoch) from a
// schedule. Its warmup divides the regular momentum by the warmup factor, so a warmup starts
// above the base momentum (as in mmcv).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/hooks/schedule.h"

namespace torch::optim {
class OptimizerOptions;
}

namespace tubelet {

class MomentumUpdaterHook : public Hook {
 public:
  struct Options {
    bool by_epoch = true;
    std::optional<std::string> warmup;  // None, "constant", "linear" or "exp"
    int64_t warmup_iters = 0;
    double warmup_ratio = 0.9;
  };
  static Options read_options(Args& args, bool default_by_epoch = true);

  // Checks the options as mmcv does; throws std::invalid_argument with mmcv's message.
  explicit MomentumUpdaterHook(const Options& options);

  // Base momentum of each group: runner.initial_momentums(), filled from the groups when
  // empty (a resumed run restores them from the checkpoint first).
  void before_run(Runner& runner) override;
  void before_train_epoch(Runner& runner) override;
  void before_train_iter(Runner& runner) override;

  // The scheduled momentum of group `group` whose momentum before any schedule was `base`.
  virtual double get_momentum(const Runner& runner, size_t group, double base) const = 0;

  const Options& options() const { return options_; }

 protected:
  virtual std::vector<double> regular_momentum(const Runner& runner) const;
  int64_t progress(const Runner& runner) const;
  int64_t max_progress(const Runner& runner) const;

 private:
  std::vector<double> warmup_momentum(int64_t cur_iter) const;

  Options options_;
  std::vector<double> regular_momentum_;
};

// A group's momentum as mmcv reads it: the `momentum` option, else betas[0]; throws
// std::invalid_argument when the optimizer has neither.
double group_momentum(const torch::optim::OptimizerOptions& options);
// Sets `momentum`, else betas[0]; an optimizer with neither is left alone (as mmcv).
void set_group_momentum(torch::optim::OptimizerOptions& options, double momentum);
void set_group_momentums(Runner& runner, const std::vector<double>& momentums);

// Builds the hook a `momentum_config` dict selects by its `policy` (mmcv's rule, see
// updater_hook_type in lr_updater_hook.h, with the suffix "MomentumUpdaterHook").
std::shared_ptr<Hook> build_momentum_updater_hook(const Value& momentum_config,
                                                  const std::string& config_path);

}  // namespace tubelet
