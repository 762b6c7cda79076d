// tubelet schedule CONFIG --iters-per-epoch N [--cfg-options ...]: the LR and momentum of
// param group 0 (betas[0] for Adam-like optimizers) inside every training iteration of the
// run the config describes, as one JSON object {"lr": [...], "momentum": [...]}. It runs the
// config's runner and updater hooks (trace_lr_schedule), not a copy of their formulas; null
// marks an iteration without a value (a policy that gave None, as mmcv allows).
#include <cmath>
#include <iostream>

#include "commands.h"
#include "tubelet/apis/lr_schedule.h"
#include "tubelet/config/dump.h"
#include "tubelet/plugin.h"

namespace tubelet::cli {

namespace {

struct ScheduleOptions {
  std::string config;
  int64_t iters_per_epoch = 0;
  std::vector<std::string> cfg_options;
};

Value series(const std::vector<std::vector<double>>& groups) {
  List out;
  if (!groups.empty())
    for (double x : groups[0]) out.push_back(std::isnan(x) ? Value() : Value(x));
  return Value::list(std::move(out));
}

void schedule(const ScheduleOptions& o) {
  const Dict cfg = load_config_for_command(o.config, o.cfg_options);
  const LrSchedule trace = trace_lr_schedule(cfg, o.iters_per_epoch);
  Dict out;
  out.set("lr", series(trace.lr));
  out.set("momentum", series(trace.momentum));
  std::cout << to_json(Value(std::move(out)), -1) << "\n";
}

}  // namespace

void add_schedule(CLI::App& app) {
  auto o = std::make_shared<ScheduleOptions>();
  CLI::App* cmd = app.add_subcommand(
      "schedule", "Print the lr and momentum every training iteration of the config's run sees");
  cmd->add_option("config", o->config, "Config file")->required();
  cmd->add_option("--iters-per-epoch", o->iters_per_epoch,
                  "Training iterations per epoch (the loader's length)")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--cfg-options", o->cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->callback([o] { schedule(*o); });
}

}  // namespace tubelet::cli
