// mmcv's LrUpdaterHook: sets every param group's lr before each training iteration (or epoch)
// from a schedule, with an optional warmup on top.
//
// A policy derives from LrUpdaterHook, implements get_lr and registers a builder in HOOKS as
// "<Policy>LrUpdaterHook"; `lr_config = dict(policy='<Policy>', ...)` then selects it:
//
//   class HalvingLrUpdaterHook : public LrUpdaterHook {
//    public:
//     HalvingLrUpdaterHook(Options options, ...) : LrUpdaterHook(options), ... {}
//     double get_lr(const Runner& runner, double base_lr) const override;
//     std::string type() const override { return "HalvingLrUpdaterHook"; }
//   };
//   std::shared_ptr<Hook> build_halving(Args& args) {
//     auto every = args.required<int64_t>("every");
//     ...
//     return std::make_shared<HalvingLrUpdaterHook>(LrUpdaterHook::read_options(args), ...);
//   }
//   TUBELET_REGISTER(HOOKS, HalvingLrUpdaterHook, build_halving);
//
// (A plugin replaces a built-in policy, such as RelativeStep, with TUBELET_REGISTER_FORCE.)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/config/value.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/hooks/schedule.h"

namespace tubelet {

class LrUpdaterHook : public Hook {
 public:
  // mmcv's LrUpdaterHook arguments.
  struct Options {
    bool by_epoch = true;               // the schedule moves once per epoch, else per iteration
    std::optional<std::string> warmup;  // None, "constant", "linear" or "exp"
    int64_t warmup_iters = 0;           // iterations, or epochs when warmup_by_epoch
    double warmup_ratio = 0.1;          // warmup starts at warmup_ratio * the regular lr
    bool warmup_by_epoch = false;
  };
  // Reads the arguments above (by_epoch defaults to `default_by_epoch`).
  static Options read_options(Args& args, bool default_by_epoch = true);

  // Checks the options as mmcv does; throws std::invalid_argument with mmcv's message.
  explicit LrUpdaterHook(const Options& options);

  // Base lr of each group: runner.initial_lrs(), filled from the groups' lr when empty.
  void before_run(Runner& runner) override;
  void before_train_epoch(Runner& runner) override;
  void before_train_iter(Runner& runner) override;

  // The scheduled lr of a group whose lr before any schedule was `base_lr`.
  virtual double get_lr(const Runner& runner, double base_lr) const = 0;

  const Options& options() const { return options_; }
  bool by_epoch() const { return options_.by_epoch; }

 protected:
  // runner.epoch() when by_epoch, else runner.iter(); and its maximum.
  int64_t progress(const Runner& runner) const;
  int64_t max_progress(const Runner& runner) const;
  std::vector<double>& base_lr() { return base_lr_; }

 private:
  std::vector<double> regular_lr(const Runner& runner) const;
  std::vector<double> warmup_lr(int64_t cur_iter) const;

  Options options_;
  std::optional<int64_t> warmup_iters_;  // unknown until the first epoch with warmup_by_epoch
  std::optional<int64_t> warmup_epochs_;
  std::vector<double> base_lr_;
  std::vector<double> regular_lr_;  // the schedule's lr without warmup
};

// Sets each param group's lr (extra values or groups are left alone, as zip does).
void set_group_lrs(Runner& runner, const std::vector<double>& lrs);

// mmcv's rule from a `policy` to a hook name: an all-lowercase policy is title-cased
// ("step" -> "Step", "cosine_restart" -> "Cosine_Restart"), anything else is kept as written;
// then `suffix` ("LrUpdaterHook" or "MomentumUpdaterHook") is appended.
std::string updater_hook_type(const std::string& policy, const std::string& suffix);

// Builds the hook an `lr_config` / `momentum_config` dict selects by its `policy` (the other
// keys are the hook's arguments). An unknown policy is HOOKS' error, with suggestions.
// `config_path` ("lr_config") names the config in messages.
std::shared_ptr<Hook> build_lr_updater_hook(const Value& lr_config, const std::string& config_path);
std::shared_ptr<Hook> build_momentum_updater_hook(const Value& momentum_config,
                                                  const std::string& config_path);

}  // namespace tubelet
