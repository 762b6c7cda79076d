#include "tubelet/models/common/trunc_normal.h"

#include <torch/torch.h>

#include <cmath>

namespace tubelet {

namespace {
double normal_cdf(double x) {
  return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0;
}
}  // namespace

void trunc_normal_(torch::Tensor tensor, double mean, double std, double a, double b) {
  torch::NoGradGuard no_grad;
  // Inverse-CDF sampling: uniform over the CDF's values on [a, b], mapped back by erfinv.
  double lower = normal_cdf((a - mean) / std);
  double upper = normal_cdf((b - mean) / std);
  tensor.uniform_(2 * lower - 1, 2 * upper - 1);
  tensor.erfinv_();
  tensor.mul_(std * std::sqrt(2.0));
  tensor.add_(mean);
  tensor.clamp_(a, b);
}

}  // namespace tubelet
