// MMAction2's BMNLoss: BMN's temporal evaluation loss (start/end), its proposal evaluation
// regression loss (weighted MSE on the boundary-matching map, medium and low IoU entries
// subsampled at random to balance the high ones) and its classification loss.
#pragma once

#include "tubelet/models/loss.h"

namespace tubelet {

// binary_logistic_regression_loss of start plus that of end (threshold 0.5).
torch::Tensor bmn_tem_loss(const torch::Tensor& pred_start, const torch::Tensor& pred_end,
                           const torch::Tensor& gt_start, const torch::Tensor& gt_end);
// Draws two torch::rand_like(gt_iou_map) from the default generator, as MMAction2 does.
torch::Tensor bmn_pem_reg_loss(const torch::Tensor& pred_score, const torch::Tensor& gt_iou_map,
                               const torch::Tensor& mask, double high_temporal_iou_threshold = 0.7,
                               double low_temporal_iou_threshold = 0.3);
torch::Tensor bmn_pem_cls_loss(const torch::Tensor& pred_score, const torch::Tensor& gt_iou_map,
                               const torch::Tensor& mask, double threshold = 0.9,
                               double ratio_low = 1.05, double ratio_high = 21, double eps = 1e-5);

struct BMNLossParts {
  torch::Tensor loss;  // weight_tem * tem + weight_pem_reg * pem_reg + weight_pem_cls * pem_cls
  torch::Tensor tem_loss;
  torch::Tensor pem_reg_loss;
  torch::Tensor pem_cls_loss;
};

struct BMNLossWeights {
  double tem = 1.0;
  double pem_reg = 10.0;
  double pem_cls = 1.0;
};

class BMNLossImpl : public Loss {
 public:
  // pred_bm [N, 2, T, T] (regression, classification); pred/gt start and end [N, T];
  // gt_iou_map [N, T, T]; bm_mask [T, T].
  BMNLossParts forward(const torch::Tensor& pred_bm, const torch::Tensor& pred_start,
                       const torch::Tensor& pred_end, const torch::Tensor& gt_iou_map,
                       const torch::Tensor& gt_start, const torch::Tensor& gt_end,
                       const torch::Tensor& bm_mask, const BMNLossWeights& weights = {});
};

}  // namespace tubelet
