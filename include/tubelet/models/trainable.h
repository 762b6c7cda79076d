// What a runner trains (mmcv's model.train_step / val_step): recognizers and localizers
// implement it next to torch::nn::Module.
#pragma once

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "tubelet/data/batch.h"

namespace tubelet {

// Named losses and metrics in the order the model computed them ("top1_acc", "loss_cls").
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// mmcv's train_step output: the loss to back-propagate, the scalars to log and how many
// samples they average over.
struct StepOutputs {
  torch::Tensor loss;
  std::vector<std::pair<std::string, double>> log_vars;
  int64_t num_samples = 0;
};

class Trainable {
 public:
  virtual ~Trainable() = default;
  virtual StepOutputs train_step(const Batch& batch) = 0;
  // Runs under torch::NoGradGuard, in eval mode.
  virtual StepOutputs val_step(const Batch& batch) = 0;
  // MMAction2's model(return_loss=False, **data): one result row per video of the batch
  // (a recognizer's class scores averaged over clips as test_cfg says). Eval mode, no grad.
  virtual torch::Tensor test_step(const Batch& batch);
  // Localizers give records instead of score rows: one per video, MMAction2's list of dicts
  // ({"video_name", "proposal_list"} for BMN and PEM). Such models return true from
  // gives_records(); single_gpu_test_records and Dataset::evaluate_records take it from there.
  virtual bool gives_records() const { return false; }
  virtual List test_records(const Batch& batch);
};

// MMAction2's BaseRecognizer._parse_losses: every entry whose name contains "loss" is summed
// into "loss" (entries holding lists of tensors are summed first); every entry is logged as
// its mean, "loss" last.
StepOutputs parse_losses(const NamedTensors& losses, int64_t num_samples);

}  // namespace tubelet
