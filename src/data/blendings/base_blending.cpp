#include "tubelet/data/blendings/base_blending.h"

#include <ATen/ATen.h>

#include "tubelet/config/error.h"

namespace tubelet {

BaseMiniBatchBlending::BaseMiniBatchBlending(int64_t num_classes) : num_classes_(num_classes) {
  if (num_classes < 1)
    throw ConfigError("a blending needs num_classes >= 1, got " + std::to_string(num_classes));
}

std::pair<torch::Tensor, torch::Tensor> BaseMiniBatchBlending::operator()(
    const torch::Tensor& imgs, const torch::Tensor& label) const {
  TORCH_CHECK(imgs.dim() >= 3 && imgs.size(0) == label.size(0),
              "blending needs imgs [B, ...] and labels [B, 1] of the same batch, got imgs ",
              imgs.sizes(), " and labels ", label.sizes());
  TORCH_CHECK(label.scalar_type() == torch::kLong,
              "blending needs hard labels (int64 class indices), got ", label.scalar_type());
  return do_blending(imgs, torch::one_hot(label, num_classes_));
}

torch::Tensor sample_symmetric_beta(double alpha) {
  // torch.distributions.Beta keeps [concentration1, concentration0] as a float32 Dirichlet
  // concentration and returns the first component of its draw.
  torch::Tensor concentration = torch::full({2}, alpha, torch::kFloat);
  return at::_sample_dirichlet(concentration).select(0, 0);
}

double read_blending_alpha(Args& args) {
  double alpha = args.get("alpha", 0.2);
  // torch.distributions.Beta rejects it at construction; so do we, at build time.
  if (!(alpha > 0))
    throw args.error("alpha", "alpha must be positive (the concentration of Beta(alpha, alpha))");
  return alpha;
}

}  // namespace tubelet
