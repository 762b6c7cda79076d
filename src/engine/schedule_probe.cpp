#include "tubelet/engine/schedule_probe.h"

#include <limits>

#include "tubelet/engine/hooks/momentum_updater_hook.h"
#include "tubelet/engine/runner.h"
#include "tubelet/optim/group_options.h"

namespace tubelet {

ScheduleProbeModel::ScheduleProbeModel(int groups) {
  for (int i = 0; i < groups; ++i)
    params.push_back(register_parameter("w" + std::to_string(i), torch::ones({1})));
}

StepOutputs ScheduleProbeModel::train_step(const Batch&) {
  return constant();
}

StepOutputs ScheduleProbeModel::val_step(const Batch&) {
  return constant();
}

void ScheduleProbeModel::hold(std::shared_ptr<torch::nn::Module> model) {
  register_module("held", std::move(model));
}

StepOutputs ScheduleProbeModel::constant() {
  StepOutputs out;
  out.loss = params.empty() ? torch::zeros({}) : params[0].sum();
  out.num_samples = 1;
  return out;
}

std::optional<Batch> EmptyBatchLoader::next() {
  if (next_ >= batches_) return std::nullopt;
  ++next_;
  Batch b;
  b.tensors.emplace_back("imgs", torch::zeros({1, 1}));
  return b;
}

void ScheduleRecorderHook::before_train_iter(Runner& runner) {
  auto& groups = runner.optimizer().param_groups();
  lr.resize(groups.size());
  momentum.resize(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& options = groups[g].options();
    lr[g].push_back(options.get_lr());
    const bool has = has_group_option(options, "momentum") || has_group_option(options, "betas");
    momentum[g].push_back(has ? group_momentum(options) : std::numeric_limits<double>::quiet_NaN());
  }
}

}  // namespace tubelet
