// MMAction2's PreciseBNHook (mmaction/utils/precise_bn.py, after fvcore): every `interval`
// training epochs, the batch-norm running statistics are recomputed with the weights held
// fixed, as the plain mean over `num_iters` batches of the training set of each batch's
// statistics, instead of the momentum average collected while the weights were moving.
//
// The train tool builds it from the config's top-level `precise_bn = dict(num_iters=200,
// interval=1)` with a loader of its own over data.train (MMAction2's train_model) and
// registers it at priority HIGHEST, so checkpoints and evaluation of that epoch see the new
// statistics. It is also in HOOKS (for its arguments and list-modules); built from there it
// has no loader until set_data_loader() gives it one.
//
// In a run of several ranks each rank computes the statistics on its share of the training
// set and keeps its own, as in MMAction2 0.24.1: rank 0's reach the checkpoint and (through
// DistEvalHook's broadcast_bn_buffer) the evaluation. With SyncBN they are the same on all.
#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

#include "tubelet/data/data_loader.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/logger.h"

namespace tubelet {

struct PreciseBNOptions {
  int64_t num_iters = 200;
  int64_t interval = 1;  // in epochs; mmcv's every_n_epochs (0 or less: never)
};

// MMAction2's update_bn_stats: puts `model` in training mode (model.train(), so backbones
// keep their norm_eval / frozen batch norms in eval mode), takes every batch norm then in
// training mode that tracks running statistics, sets its momentum to 1 (each forward leaves
// the batch's mean and unbiased variance in the buffers), runs the first `num_iters` batches
// of `loader` through the model's test forward (MMAction2's model(return_loss=False)) without
// gradients, and leaves in running_mean / running_var the running mean over those batches of
// the buffers, accumulated in the buffers' dtype as MMAction2 does; momentum is restored.
// Throws when the loader has fewer than num_iters batches (MMAction2's assertion). Returns
// the batch norms it updated (none: a warning in the log, nothing changed).
std::vector<torch::nn::Module*> update_bn_stats(torch::nn::Module& model, DataLoader& loader,
                                                int64_t num_iters, Logger* logger = nullptr);

class PreciseBNHook : public Hook {
 public:
  PreciseBNHook(std::shared_ptr<DataLoader> loader, PreciseBNOptions options);
  std::string type() const override { return "PreciseBNHook"; }

  void set_data_loader(std::shared_ptr<DataLoader> loader) { loader_ = std::move(loader); }
  const PreciseBNOptions& options() const { return options_; }

  // Fails before training starts where MMAction2 fails after the first epoch: no loader, or
  // one shorter than num_iters.
  void before_run(Runner& runner) override;
  void after_train_epoch(Runner& runner) override;

 private:
  std::shared_ptr<DataLoader> loader_;
  PreciseBNOptions options_;
};

}  // namespace tubelet
