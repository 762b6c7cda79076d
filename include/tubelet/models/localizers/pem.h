// MMAction2's PEM, BSN's Proposal Evaluation Module: two fully connected layers scoring each
// proposal's BSP feature; trained with a smooth-L1 loss against the proposals' reference IoU
// (medium and low IoU proposals subsampled at random), tested into soft-NMSed proposals.
#pragma once

#include <torch/nn/modules/linear.h>

#include "tubelet/localization/proposal_post_processing.h"
#include "tubelet/models/localizer.h"

namespace tubelet {

struct PEMOptions {
  TORCH_ARG(int64_t, pem_feat_dim) = 32;
  TORCH_ARG(int64_t, pem_hidden_dim) = 256;
  TORCH_ARG(double, pem_u_ratio_m) = 1;
  TORCH_ARG(double, pem_u_ratio_l) = 2;
  TORCH_ARG(double, pem_high_temporal_iou_threshold) = 0.6;
  TORCH_ARG(double, pem_low_temporal_iou_threshold) = 0.2;
  TORCH_ARG(ProposalPostProcessOptions, post_process) = {};
  TORCH_ARG(double, fc1_ratio) = 0.1;
  TORCH_ARG(double, fc2_ratio) = 0.1;
  TORCH_ARG(int64_t, output_dim) = 1;

 public:
};

class PEMImpl : public Localizer {
 public:
  explicit PEMImpl(PEMOptions options);

  // MMAction2's _forward: the videos' proposals concatenated ([sum n_i, pem_feat_dim]) ->
  // [sum n_i, output_dim] in (0, 1).
  torch::Tensor forward(const std::vector<torch::Tensor>& bsp_feature);
  // {"temporal_iou_loss"}; draws two torch::rand from the default generator, as MMAction2.
  NamedTensors forward_train(const std::vector<torch::Tensor>& bsp_feature,
                             const std::vector<torch::Tensor>& reference_temporal_iou);

  StepOutputs train_step(const Batch& batch) override;
  StepOutputs val_step(const Batch& batch) override;
  bool gives_records() const override { return true; }
  // {"video_name", "proposal_list"} per video, from bsp_feature, tmin, tmax, tmin_score and
  // tmax_score.
  List test_records(const Batch& batch) override;

  PEMOptions options;
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(PEM);

}  // namespace tubelet
