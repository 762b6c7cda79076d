// MMAction2's BMN (Boundary-Matching Network): start/end probabilities per temporal step and
// a boundary-matching confidence map [duration, start] (regression and classification),
// trained with BMNLoss on labels made from each video's gt_bbox, tested into soft-NMSed
// proposals in seconds.
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <tuple>
#include <vector>

#include "tubelet/localization/proposal_post_processing.h"
#include "tubelet/models/localizer.h"
#include "tubelet/models/losses/bmn_loss.h"

namespace tubelet {

struct BMNOptions {
  TORCH_ARG(int64_t, temporal_dim) = 100;
  TORCH_ARG(double, boundary_ratio) = 0.5;
  TORCH_ARG(int64_t, num_samples) = 32;
  TORCH_ARG(int64_t, num_samples_per_bin) = 3;
  TORCH_ARG(int64_t, feat_dim) = 400;
  TORCH_ARG(ProposalPostProcessOptions, post_process) = {};
  TORCH_ARG(int64_t, hidden_dim_1d) = 256;
  TORCH_ARG(int64_t, hidden_dim_2d) = 128;
  TORCH_ARG(int64_t, hidden_dim_3d) = 512;

 public:
};

struct BMNOutputs {
  torch::Tensor confidence_map;  // [N, 2, T, T]: (regression, classification) x duration x start
  torch::Tensor start;           // [N, T]
  torch::Tensor end;             // [N, T]
};

struct BMNLabels {
  torch::Tensor confidence;  // [N, T, T] max IoU with a ground truth, [duration, start]
  torch::Tensor start;       // [N, T]
  torch::Tensor end;         // [N, T]
};

class BMNImpl : public Localizer {
 public:
  BMNImpl(BMNOptions options, std::shared_ptr<BMNLossImpl> loss_cls);

  // MMAction2's _forward: raw_feature [N, feat_dim, temporal_dim].
  BMNOutputs forward(const torch::Tensor& raw_feature);
  // Labels for each video's gt_bbox ([n, 2] in [0, 1] of the feature span).
  BMNLabels generate_labels(const std::vector<torch::Tensor>& gt_bbox) const;
  // {"loss": BMNLoss's total}, as MMAction2's forward_train gives it.
  NamedTensors forward_train(const torch::Tensor& raw_feature,
                             const std::vector<torch::Tensor>& gt_bbox);
  // One video's proposal_list (MMAction2's forward_test for a batch of one).
  List proposals(const BMNOutputs& outputs, int64_t index, const Dict& video_meta) const;

  StepOutputs train_step(const Batch& batch) override;
  StepOutputs val_step(const Batch& batch) override;
  bool gives_records() const override { return true; }
  // {"video_name", "proposal_list"} per video of the batch.
  List test_records(const Batch& batch) override;
  // The batch's raw_feature; a wrong shape is an error naming the argument and the videos.
  const torch::Tensor& raw_feature_of(const Batch& batch) const;

  BMNOptions options;
  std::shared_ptr<BMNLossImpl> loss_cls;
  torch::Tensor sample_mask;  // [T, num_samples * T * T], a parameter without gradient
  torch::Tensor bm_mask;      // [T, T]: 1 where start + duration stays inside; not saved
  torch::nn::Sequential x_1d_b{nullptr}, x_1d_s{nullptr}, x_1d_e{nullptr}, x_1d_p{nullptr},
      x_3d_p{nullptr}, x_2d_p{nullptr};
};
TORCH_MODULE(BMN);

// BMN's sample_mask: for each (start, duration) of the map, num_samples bins of
// num_samples_per_bin linear-interpolation weights over the T steps of an extended window.
torch::Tensor bmn_sample_mask(int64_t temporal_dim, double boundary_ratio, int64_t num_samples,
                              int64_t num_samples_per_bin);

}  // namespace tubelet
