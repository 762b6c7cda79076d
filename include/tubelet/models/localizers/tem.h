// MMAction2's TEM, BSN's Temporal Evaluation Module: three 1D convolutions giving, per
// temporal step, the probabilities of action, start and end; trained with
// BinaryLogisticRegressionLoss on labels made from each video's gt_bbox.
#pragma once

#include <torch/nn/modules/conv.h>

#include <vector>

#include "tubelet/models/localizer.h"
#include "tubelet/models/losses/binary_logistic_regression_loss.h"

namespace tubelet {

struct TEMOptions {
  TORCH_ARG(int64_t, temporal_dim) = 100;
  TORCH_ARG(double, boundary_ratio) = 0.1;
  TORCH_ARG(int64_t, tem_feat_dim) = 400;
  TORCH_ARG(int64_t, tem_hidden_dim) = 512;
  TORCH_ARG(double, tem_match_threshold) = 0.5;
  TORCH_ARG(double, loss_weight) = 2;
  TORCH_ARG(int64_t, output_dim) = 3;
  TORCH_ARG(double, conv1_ratio) = 1;
  TORCH_ARG(double, conv2_ratio) = 1;
  TORCH_ARG(double, conv3_ratio) = 0.01;

 public:
};

struct TEMLabels {
  torch::Tensor action;  // [N, T]
  torch::Tensor start;   // [N, T]
  torch::Tensor end;     // [N, T]
};

class TEMImpl : public Localizer {
 public:
  TEMImpl(TEMOptions options, std::shared_ptr<BinaryLogisticRegressionLossImpl> loss_cls);

  // MMAction2's _forward: raw_feature [N, tem_feat_dim, T] -> [N, output_dim, T] in (0, 1).
  torch::Tensor forward(const torch::Tensor& raw_feature);
  TEMLabels generate_labels(const std::vector<torch::Tensor>& gt_bbox) const;
  // loss_action (times loss_weight), loss_start, loss_end.
  NamedTensors forward_train(const torch::Tensor& raw_feature,
                             const std::vector<torch::Tensor>& gt_bbox);

  StepOutputs train_step(const Batch& batch) override;
  StepOutputs val_step(const Batch& batch) override;
  bool gives_records() const override { return true; }
  // {"video_name", "tem_output": [[action, start, end, tmin, tmax] per step]} per video.
  List test_records(const Batch& batch) override;
  // The batch's raw_feature; a wrong shape is an error naming the argument and the videos.
  const torch::Tensor& raw_feature_of(const Batch& batch) const;

  TEMOptions options;
  std::shared_ptr<BinaryLogisticRegressionLossImpl> loss_cls;
  torch::nn::Conv1d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
};
TORCH_MODULE(TEM);

}  // namespace tubelet
