#include "tubelet/apis/lr_schedule.h"

#include <memory>
#include <stdexcept>
#include <string>

#include "tubelet/apis/run_config.h"
#include "tubelet/config/error.h"
#include "tubelet/engine/schedule_probe.h"
#include "tubelet/engine/training_setup.h"
#include "tubelet/models/builder.h"
#include "tubelet/optim/optimizer_constructor.h"

namespace tubelet {

namespace {

// The optimizer over cfg.model's parameters (the probe keeps the model alive), else over the
// probe's one parameter: param-wise settings need the real model's names and modules.
std::shared_ptr<torch::optim::Optimizer> build_probe_optimizer(const Dict& cfg,
                                                               ScheduleProbeModel& probe) {
  const Value* optimizer = cfg.find("optimizer");
  if (!optimizer || optimizer->is_none()) throw ConfigError("the config has no 'optimizer'");
  const Value* model_cfg = cfg.find("model");
  if (!model_cfg || model_cfg->is_none()) return build_optimizer(probe, *optimizer, "optimizer");
  std::shared_ptr<torch::nn::Module> model = build_model(*model_cfg, "model");
  probe.hold(model);
  return build_optimizer(*model, *optimizer, "optimizer");
}

// Only the schedule's hooks: the others (optimizer step, checkpoints, logs) would need a real
// model and a work dir, and change no lr or momentum.
TrainingHookConfigs schedule_hooks(const RunConfig& run) {
  const TrainingHookConfigs& all = run.hooks;
  TrainingHookConfigs only;
  only.lr_config = all.lr_config;
  only.momentum_config = all.momentum_config;
  return only;
}

}  // namespace

LrSchedule trace_lr_schedule(const Dict& cfg, int64_t iters_per_epoch) {
  if (iters_per_epoch <= 0)
    throw std::invalid_argument("iterations per epoch must be positive, not " +
                                std::to_string(iters_per_epoch));
  const Value* model_cfg = cfg.find("model");
  auto probe = std::make_shared<ScheduleProbeModel>(model_cfg && !model_cfg->is_none() ? 0 : 1);
  RunnerParts parts;
  parts.optimizer = build_probe_optimizer(cfg, *probe);
  parts.model = probe;
  parts.logger = std::make_shared<Logger>("schedule", /*to_console=*/false);
  const RunConfig run = read_run_config(cfg);
  std::shared_ptr<Runner> runner = build_runner(runner_config(run), std::move(parts));
  register_training_hooks(*runner, schedule_hooks(run));
  auto recorder = std::make_shared<ScheduleRecorderHook>();
  runner->register_hook(recorder, Value("LOW"));
  EmptyBatchLoader loader(iters_per_epoch);
  runner->run({&loader}, {{"train", 1}});
  return {recorder->lr, recorder->momentum};
}

}  // namespace tubelet
