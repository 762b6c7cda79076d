// The config side of a training run, as mmcv's runner and MMAction2's train_model read it:
// which runner, which hooks (lr_config, optimizer_config, checkpoint_config, log_config,
// momentum_config, custom_hooks), and where to start from (resume_from, auto_resume,
// load_from).
#pragma once

#include <memory>
#include <string>

#include "tubelet/engine/runner.h"

namespace tubelet {

// `runner = dict(type=..., max_epochs=...)`, or the older `total_epochs = N` (an
// EpochBasedRunner), as a RUNNERS config. Both present: `runner` wins, as mmcv's tools
// (which warn) do. Neither: a ConfigError.
Value runner_config(const Dict& cfg);
// Builds a runner from a RUNNERS config (runner_config's).
std::shared_ptr<Runner> build_runner(const Value& runner_cfg, RunnerParts parts);

// mmcv's register_training_hooks, in its order and priorities: lr (VERY_HIGH), momentum
// (HIGH), optimizer (ABOVE_NORMAL), checkpoint (NORMAL), timer (LOW), loggers (VERY_LOW),
// then custom hooks (each with its own `priority`, default NORMAL). None skips a hook.
struct TrainingHookConfigs {
  Value lr_config;
  Value optimizer_config;
  Value checkpoint_config;
  Value log_config;
  Value momentum_config;
  Value timer_config;  // training_hook_configs gives dict(type='IterTimerHook'), as mmcv
  Value custom_hooks;
};
TrainingHookConfigs training_hook_configs(const Dict& cfg);
void register_training_hooks(Runner& runner, const TrainingHookConfigs& configs);

// Where a run starts from: `resume_from` (weights, optimizer and counters), `auto_resume`
// (the work dir's latest.pth when it exists) or `load_from` (weights only). None skips each.
struct ResumeConfig {
  Value resume_from;
  bool auto_resume = false;
  Value load_from;
};
ResumeConfig read_resume_config(const Dict& cfg);

// resume_from, else (with auto_resume) the work dir's latest.pth when it exists, else
// load_from. Returns what was loaded ("" if nothing).
std::string resume_or_load(Runner& runner, const ResumeConfig& start);

}  // namespace tubelet
