// MMAction2's SSN (Structured Segment Networks, a BaseTAGClassifier): a 2D backbone on the
// sampled frames of each proposal, spatial pooling, dropout and SSNHead; trained with SSNLoss
// (train_cfg.ssn's sampler and loss_weight), tested by running the backbone on every tick of
// the video in minibatches of test_cfg.ssn.sampler.batch_size and pooling test_fc's scores per
// proposal.
#pragma once

#include <torch/nn/modules/dropout.h>

#include <memory>
#include <optional>
#include <string>

#include "tubelet/models/backbone.h"
#include "tubelet/models/heads/ssn_head.h"
#include "tubelet/models/localizer.h"
#include "tubelet/models/losses/ssn_loss.h"

namespace tubelet {

struct SSNOptions {
  TORCH_ARG(int64_t, in_channels) = 3;
  TORCH_ARG(std::string, spatial_type) = "avg";  // "avg", "max", anything else: no pooling
  TORCH_ARG(double, dropout_ratio) = 0.5;
  // train_cfg.ssn (sampler, loss_weight); absent without a train_cfg.
  TORCH_ARG(std::optional<SSNLossConfig>, train_cfg) = std::nullopt;
  // test_cfg.ssn.sampler.batch_size; absent without a test_cfg.
  TORCH_ARG(std::optional<int64_t>, test_batch_size) = std::nullopt;
};

// One video's forward_test result (MMAction2's dict of numpy arrays).
struct SSNTestResult {
  torch::Tensor relative_proposal_list;  // [P, 2]
  torch::Tensor activity_scores;         // [P, num_classes + 1]
  torch::Tensor completeness_scores;     // [P, num_classes]
  torch::Tensor bbox_preds;              // [P, num_classes, 2] de-normalised; undefined without
};

class SSNImpl : public Localizer {
 public:
  SSNImpl(SSNOptions options, std::shared_ptr<Backbone> backbone, std::shared_ptr<SSNHeadImpl> head,
          std::shared_ptr<SSNLossImpl> loss);

  // The backbone's (last) feature map, then spatial_type's 7x7 pooling (stride 1).
  torch::Tensor pooled_feat(const torch::Tensor& imgs);
  // imgs [N, P, T, in_channels, H, W]; the rest as SampleProposalFrames gives them.
  NamedTensors forward_train(const torch::Tensor& imgs, const torch::Tensor& proposal_scale_factor,
                             const torch::Tensor& proposal_type,
                             const torch::Tensor& proposal_labels,
                             const torch::Tensor& reg_targets);
  // imgs [num_crops, num_ticks * in_channels, H, W] (or [1, num_ticks, C, H, W]); the lists
  // carry a leading batch dimension of 1, as MMAction2's test loader gives them.
  SSNTestResult forward_test(const torch::Tensor& imgs, const torch::Tensor& relative_proposal_list,
                             const torch::Tensor& scale_factor_list,
                             const torch::Tensor& proposal_tick_list,
                             const torch::Tensor& reg_norm_consts);

  StepOutputs train_step(const Batch& batch) override;
  StepOutputs val_step(const Batch& batch) override;
  bool gives_records() const override { return true; }
  // One record per batch (videos_per_gpu=1): the four arrays of SSNTestResult as nested lists.
  List test_records(const Batch& batch) override;

  SSNOptions options;
  std::shared_ptr<Backbone> backbone;
  std::shared_ptr<SSNHeadImpl> cls_head;
  std::shared_ptr<SSNLossImpl> loss_cls;
  torch::nn::Dropout dropout{nullptr};
  bool is_test_prepared = false;
};
TORCH_MODULE(SSN);

}  // namespace tubelet
