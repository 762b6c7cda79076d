#include "tubelet/data/blendings/cutmix_blending.h"

#include <torch/torch.h>

#include <algorithm>

namespace tubelet {

CutmixBlending::CutmixBlending(int64_t num_classes, double alpha)
    : BaseMiniBatchBlending(num_classes), alpha_(alpha) {}

std::array<int64_t, 4> CutmixBlending::rand_bbox(int64_t w, int64_t h, const torch::Tensor& lam) {
  torch::Tensor cut_rat = torch::sqrt(1. - lam);
  // Python's int() of a float32 tensor: truncation of the float32 product.
  const auto cut_w = static_cast<int64_t>((w * cut_rat).item<float>());
  const auto cut_h = static_cast<int64_t>((h * cut_rat).item<float>());
  const int64_t cx = torch::randint(w, {1}, torch::kLong).item<int64_t>();
  const int64_t cy = torch::randint(h, {1}, torch::kLong).item<int64_t>();
  return {std::clamp<int64_t>(cx - cut_w / 2, 0, w), std::clamp<int64_t>(cy - cut_h / 2, 0, h),
          std::clamp<int64_t>(cx + cut_w / 2, 0, w), std::clamp<int64_t>(cy + cut_h / 2, 0, h)};
}

std::pair<torch::Tensor, torch::Tensor> CutmixBlending::do_blending(
    const torch::Tensor& imgs, const torch::Tensor& label) const {
  const int64_t w = imgs.size(-1), h = imgs.size(-2);
  torch::Tensor index = torch::randperm(imgs.size(0), torch::kLong);
  torch::Tensor lam = sample_symmetric_beta(alpha_);
  const auto [x1, y1, x2, y2] = rand_bbox(w, h, lam);

  // MMAction2 pastes into the batch in place; we leave the caller's tensor as it was.
  torch::Tensor mixed_imgs = imgs.clone();
  auto box = [&](const torch::Tensor& t) {
    return t.narrow(-2, y1, y2 - y1).narrow(-1, x1, x2 - x1);
  };
  box(mixed_imgs).copy_(box(imgs.index_select(0, index.to(imgs.device()))));

  // The share of the frame each video keeps, in float32 as MMAction2 computes it.
  torch::Tensor kept = 1 - (1.0 * torch::tensor(x2 - x1) * torch::tensor(y2 - y1) / (w * h));
  torch::Tensor mixed_label =
      kept * label + (1 - kept) * label.index_select(0, index.to(label.device()));
  return {mixed_imgs, mixed_label};
}

namespace {

std::shared_ptr<BaseMiniBatchBlending> build_cutmix_blending(Args& args) {
  int64_t num_classes = args.required<int64_t>("num_classes");
  return std::make_shared<CutmixBlending>(num_classes, read_blending_alpha(args));
}

}  // namespace

TUBELET_REGISTER(BLENDINGS, CutmixBlending, build_cutmix_blending);

}  // namespace tubelet
