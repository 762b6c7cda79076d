// What the LR/momentum updater tests run: the schedule probe of tubelet/engine/schedule_probe.h
// (a stand-in model with one parameter per param group, a loader of 7 batches per epoch as the
// goldens, and a hook that records each group's lr and momentum in before_train_iter, after
// the updater hooks), on an SGD optimizer with the groups the golden cases describe.
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/sgd.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/data/data_loader.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/hooks/momentum_updater_hook.h"
#include "tubelet/engine/registries.h"
#include "tubelet/engine/runner.h"
#include "tubelet/engine/schedule_probe.h"
#include "tubelet/models/trainable.h"

namespace tubelet::test {

// The library's schedule probe (what `tubelet schedule` runs) under the tests' names.
using TinyModel = ScheduleProbeModel;
using CountingLoader = EmptyBatchLoader;
using RecordingHook = ScheduleRecorderHook;

// An SGD optimizer over the model's parameters: one group, or one per entry of
// `optimizer["param_groups"]` (each may set its own lr), as the golden cases describe it.
inline std::shared_ptr<torch::optim::Optimizer> make_sgd(TinyModel& model, const Dict& optimizer) {
  auto options = [&](double lr) {
    return torch::optim::SGDOptions(lr)
        .momentum(optimizer.at("momentum").as_float())
        .weight_decay(optimizer.at("weight_decay").as_float());
  };
  const double lr = optimizer.at("lr").as_float();
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (const Value* given = optimizer.find("param_groups")) {
    const List& items = given->as_list();
    for (size_t i = 0; i < items.size(); ++i) {
      const Value* group_lr = items[i].as_dict().find("lr");
      groups.emplace_back(std::vector<torch::Tensor>{model.params.at(i)},
                          std::make_unique<torch::optim::SGDOptions>(
                              options(group_lr ? group_lr->as_float() : lr)));
    }
  } else {
    groups.emplace_back(model.params);
  }
  return std::make_shared<torch::optim::SGD>(std::move(groups), options(lr));
}

struct ScheduleRun {
  std::shared_ptr<TinyModel> model;
  std::shared_ptr<Runner> runner;
  std::shared_ptr<RecordingHook> recorder = std::make_shared<RecordingHook>();
  CountingLoader loader;

  // `runner_cfg` is {type, max_epochs | max_iters}; `optimizer` as make_sgd reads it.
  ScheduleRun(const Value& runner_cfg, const Dict& optimizer, int groups = 1) {
    model = std::make_shared<TinyModel>(groups);
    RunnerParts parts;
    parts.model = model;
    parts.optimizer = make_sgd(*model, optimizer);
    parts.logger = std::make_shared<Logger>("test", false);
    runner = RUNNERS().build(runner_cfg, BuildContext("runner"), std::move(parts));
  }
  // Registers the updaters (null ones are skipped) at mmcv's priorities, and the recorder.
  void add_hooks(std::shared_ptr<Hook> lr, std::shared_ptr<Hook> momentum) {
    if (lr) runner->register_hook(lr, Value("VERY_HIGH"));
    if (momentum) runner->register_hook(momentum, Value("HIGH"));
    runner->register_hook(recorder, Value("LOW"));
  }
  void run() { runner->run({&loader}, {{"train", 1}}); }
};

inline Dict sgd_config(double lr = 0.1, double momentum = 0.9) {
  Dict d;
  d.set("type", Value("SGD"));
  d.set("lr", Value(lr));
  d.set("momentum", Value(momentum));
  d.set("weight_decay", Value(int64_t{0}));
  return d;
}

// The part of an error mmcv gave (golden/lr/_rejected.json: `error`, and `where` it was
// raised) that ours must carry too.
inline std::string mmcv_error_fragment(const std::string& error, const std::string& where) {
  const std::string key_error = "KeyError: '";
  if (error.rfind(key_error, 0) == 0) {
    // mmcv: 'XLrUpdaterHook is not in the hook registry'; ours names the HOOKS registry.
    return "'" + error.substr(key_error.size(), error.find(" is not") - key_error.size()) +
           "' is not in the HOOKS registry";
  }
  if (error == "AssertionError: " && where.find("self.warmup_iters") != std::string::npos)
    return "warmup_iters is unknown";
  return error.substr(error.find(": ") + 2);
}

inline Value runner_config(const std::string& type, int64_t max) {
  Dict d;
  d.set("type", Value(type));
  d.set(type == "EpochBasedRunner" ? "max_epochs" : "max_iters", Value(max));
  return Value(d);
}

}  // namespace tubelet::test
