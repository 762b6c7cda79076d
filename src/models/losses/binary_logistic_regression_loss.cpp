#include "tubelet/models/losses/binary_logistic_regression_loss.h"

#include <torch/torch.h>

#include <algorithm>

#include "tubelet/models/registries.h"

namespace tubelet {

torch::Tensor binary_logistic_regression_loss(const torch::Tensor& reg_score,
                                              const torch::Tensor& label,
                                              const BinaryLogisticRegressionOptions& o) {
  torch::Tensor flat_label = label.reshape({-1}).to(reg_score.device());
  torch::Tensor score = reg_score.contiguous().view({-1});
  TORCH_CHECK(flat_label.numel() == score.numel(), "BinaryLogisticRegressionLoss: ", score.numel(),
              " scores but ", flat_label.numel(), " labels");
  torch::Tensor pmask = (flat_label > o.threshold()).to(torch::kFloat);
  // The ratio is a constant of the batch: it carries no gradient.
  double positives = std::max(pmask.sum().item<double>(), 1.0);
  double ratio = static_cast<double>(flat_label.numel()) / positives;
  ratio = std::min(std::max(ratio, o.ratio_low()), o.ratio_high());
  double coef_0 = 0.5 * ratio / (ratio - 1);
  double coef_1 = 0.5 * ratio;
  torch::Tensor loss = coef_1 * pmask * torch::log(score + o.eps()) +
                       coef_0 * (1.0 - pmask) * torch::log(1.0 - score + o.eps());
  return -loss.mean();
}

namespace {

std::shared_ptr<Loss> build_binary_logistic_regression_loss(Args&) {
  return std::make_shared<BinaryLogisticRegressionLossImpl>();
}

}  // namespace

TUBELET_REGISTER(LOSSES, BinaryLogisticRegressionLoss, build_binary_logistic_regression_loss);

}  // namespace tubelet
