// What the LR/momentum updater tests run: a tiny Trainable model with one parameter per param
// group, a loader of 7 batches per epoch (as the goldens), and a hook that records each group's
// lr and momentum in before_train_iter, after the updater hooks.
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
#include "tubelet/engine/trainable.h"

namespace tubelet::test {

// The loss is constant: the schedules need no optimizer step (no OptimizerHook is registered).
class TinyModel : public torch::nn::Module, public Trainable {
 public:
  explicit TinyModel(int groups) {
    for (int i = 0; i < groups; ++i)
      params.push_back(register_parameter("w" + std::to_string(i), torch::ones({1})));
  }
  StepOutputs train_step(const Batch&) override { return constant(); }
  StepOutputs val_step(const Batch&) override { return constant(); }
  std::vector<torch::Tensor> params;

 private:
  StepOutputs constant() {
    StepOutputs out;
    out.loss = params[0].sum();
    out.num_samples = 1;
    return out;
  }
};

class CountingLoader : public DataLoader {
 public:
  explicit CountingLoader(int64_t batches = 7) : batches_(batches) {}
  int64_t size() const override { return batches_; }
  void start() override { next_ = 0; }
  std::optional<Batch> next() override {
    if (next_ >= batches_) return std::nullopt;
    ++next_;
    Batch b;
    b.tensors.emplace_back("imgs", torch::zeros({1, 1}));
    return b;
  }

 private:
  int64_t batches_;
  int64_t next_ = 0;
};

// lr[g][i] and momentum[g][i]: group g's values inside training iteration i.
class RecordingHook : public Hook {
 public:
  void before_train_iter(Runner& runner) override {
    auto& groups = runner.optimizer().param_groups();
    lr.resize(groups.size());
    momentum.resize(groups.size());
    for (size_t g = 0; g < groups.size(); ++g) {
      lr[g].push_back(groups[g].options().get_lr());
      momentum[g].push_back(group_momentum(groups[g].options()));
    }
  }
  std::string type() const override { return "RecordingHook"; }
  std::vector<std::vector<double>> lr, momentum;
};

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

inline Value runner_config(const std::string& type, int64_t max) {
  Dict d;
  d.set("type", Value(type));
  d.set(type == "EpochBasedRunner" ? "max_epochs" : "max_iters", Value(max));
  return Value(d);
}

}  // namespace tubelet::test
