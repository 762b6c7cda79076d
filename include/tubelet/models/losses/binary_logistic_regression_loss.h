// MMAction2's BinaryLogisticRegressionLoss (BSN's TEM/PEM losses): a log loss on scores in
// [0, 1] whose positive and negative terms are re-weighted by how rare positives are.
#pragma once

#include <utility>

#include "tubelet/models/loss.h"

namespace tubelet {

struct BinaryLogisticRegressionOptions {
  /// Labels above it count as positive.
  TORCH_ARG(double, threshold) = 0.5;
  /// Bounds of entries / positives.
  TORCH_ARG(double, ratio_low) = 1.05;
  TORCH_ARG(double, ratio_high) = 21;
  TORCH_ARG(double, eps) = 1e-5;
};

// With r = clamp(entries / max(positives, 1), ratio_low, ratio_high):
// -mean(r/2 * pos * log(score + eps) + r / (2 (r - 1)) * (1 - pos) * log(1 - score + eps)).
torch::Tensor binary_logistic_regression_loss(const torch::Tensor& reg_score,
                                              const torch::Tensor& label,
                                              const BinaryLogisticRegressionOptions& options = {});

class BinaryLogisticRegressionLossImpl : public Loss {
 public:
  // MMAction2's module takes no constructor arguments (and has no loss_weight); the
  // threshold, ratio range and eps are per call.
  torch::Tensor forward(const torch::Tensor& reg_score, const torch::Tensor& label,
                        const BinaryLogisticRegressionOptions& options = {}) {
    return binary_logistic_regression_loss(reg_score, label, options);
  }
  torch::Tensor forward_loss(const torch::Tensor& score, const torch::Tensor& label) override {
    return forward(score, label);
  }
};

}  // namespace tubelet
