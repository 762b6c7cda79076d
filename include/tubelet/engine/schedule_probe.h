// Running a runner with nothing to train, to see its LR and momentum schedule: a stand-in
// model, a loader of empty batches and a hook that records what each training iteration
// sees. `tubelet schedule` and the updater hook tests drive the real runners and updater
// hooks with these, so the schedule they report is the one training uses.
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tubelet/data/data_loader.h"
#include "tubelet/engine/hook.h"
#include "tubelet/models/trainable.h"

namespace tubelet {

// A Trainable with `groups` one-element parameters ("w0", "w1", ...) and a constant loss:
// a runner needs a model, a schedule no computation (no OptimizerHook steps it). A real
// model whose parameters the optimizer holds can ride along as `held` (kept alive, never run).
class ScheduleProbeModel : public torch::nn::Module, public Trainable {
 public:
  explicit ScheduleProbeModel(int groups = 1);
  StepOutputs train_step(const Batch& batch) override;
  StepOutputs val_step(const Batch& batch) override;
  void hold(std::shared_ptr<torch::nn::Module> model);

  std::vector<torch::Tensor> params;

 private:
  StepOutputs constant();
};

// `batches` batches per pass, each a 1x1 "imgs" tensor of zeros.
class EmptyBatchLoader : public DataLoader {
 public:
  explicit EmptyBatchLoader(int64_t batches = 7) : batches_(batches) {}
  int64_t size() const override { return batches_; }
  void start() override { next_ = 0; }
  std::optional<Batch> next() override;

 private:
  int64_t batches_;
  int64_t next_ = 0;
};

// lr[g][i] and momentum[g][i]: param group g's values inside training iteration i, read in
// before_train_iter. Registered at LOW priority it runs after the LR (VERY_HIGH) and momentum
// (HIGH) updaters, so it sees what the iteration trains with. A group without momentum or
// betas records NaN (its momentum is unscheduled).
class ScheduleRecorderHook : public Hook {
 public:
  void before_train_iter(Runner& runner) override;
  std::string type() const override { return "ScheduleRecorderHook"; }

  std::vector<std::vector<double>> lr, momentum;
};

}  // namespace tubelet
