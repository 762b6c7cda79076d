// MMAction2's SSNLoss: the activity loss (cross entropy on positive and background
// proposals), the completeness loss (OHEM hinge on positive and incomplete proposals) and the
// class-wise regression loss (smooth L1 on positive proposals), weighted by train_cfg.ssn.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tubelet/models/loss.h"

namespace tubelet {

// train_cfg.ssn's sampler and loss_weight (what SSNLoss reads).
struct SSNLossConfig {
  int64_t num_per_video = 8;
  double positive_ratio = 1;
  double background_ratio = 1;
  double incomplete_ratio = 6;
  double comp_loss_weight = 0.1;
  double reg_loss_weight = 0.1;
};

torch::Tensor ssn_activity_loss(const torch::Tensor& activity_score, const torch::Tensor& labels,
                                const torch::Tensor& activity_indexer);
torch::Tensor ssn_completeness_loss(const torch::Tensor& completeness_score,
                                    const torch::Tensor& labels,
                                    const torch::Tensor& completeness_indexer,
                                    int64_t positive_per_video, int64_t incomplete_per_video,
                                    double ohem_ratio = 0.17);
torch::Tensor ssn_classwise_regression_loss(const torch::Tensor& bbox_pred,
                                            const torch::Tensor& labels,
                                            const torch::Tensor& bbox_targets,
                                            const torch::Tensor& regression_indexer);

class SSNLossImpl : public Loss {
 public:
  // proposal_type: 0 positive, 1 incomplete, 2 background. Returns loss_activity,
  // loss_completeness and (with bbox_pred defined) loss_reg, in that order.
  std::vector<std::pair<std::string, torch::Tensor>> forward(
      const torch::Tensor& activity_score, const torch::Tensor& completeness_score,
      const torch::Tensor& bbox_pred, const torch::Tensor& proposal_type,
      const torch::Tensor& labels, const torch::Tensor& bbox_targets, const SSNLossConfig& cfg);
};

}  // namespace tubelet
