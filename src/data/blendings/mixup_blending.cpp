#include "tubelet/data/blendings/mixup_blending.h"

#include <torch/torch.h>

namespace tubelet {

MixupBlending::MixupBlending(int64_t num_classes, double alpha)
    : BaseMiniBatchBlending(num_classes), alpha_(alpha) {}

std::pair<torch::Tensor, torch::Tensor> MixupBlending::do_blending(
    const torch::Tensor& imgs, const torch::Tensor& label) const {
  // Drawn on the CPU generator wherever the batch is, as MMAction2 does.
  torch::Tensor lam = sample_symmetric_beta(alpha_);
  torch::Tensor index = torch::randperm(imgs.size(0), torch::kLong);
  torch::Tensor mixed_imgs = lam * imgs + (1 - lam) * imgs.index_select(0, index.to(imgs.device()));
  torch::Tensor mixed_label =
      lam * label + (1 - lam) * label.index_select(0, index.to(label.device()));
  return {mixed_imgs, mixed_label};
}

namespace {

std::shared_ptr<BaseMiniBatchBlending> build_mixup_blending(Args& args) {
  int64_t num_classes = args.required<int64_t>("num_classes");
  return std::make_shared<MixupBlending>(num_classes, read_blending_alpha(args));
}

}  // namespace

TUBELET_REGISTER(BLENDINGS, MixupBlending, build_mixup_blending);

}  // namespace tubelet
