// MMAction2's CutmixBlending (CutMix: Regularization Strategy to Train Strong Classifiers with
// Localizable Features): a box of every frame is replaced by the same box of another video of
// the batch; labels mix by the share of the frame area each video keeps.
#pragma once

#include <array>

#include "tubelet/data/blendings/base_blending.h"

namespace tubelet {

class CutmixBlending : public BaseMiniBatchBlending {
 public:
  CutmixBlending(int64_t num_classes, double alpha = 0.2);
  double alpha() const { return alpha_; }

  // MMAction2's rand_bbox for frames of width w and height h and a drawn lam: a box of
  // sqrt(1 - lam) of each side around a uniformly drawn centre (torch.randint: x, then y),
  // clipped to the frame. Returns {x1, y1, x2, y2}.
  static std::array<int64_t, 4> rand_bbox(int64_t w, int64_t h, const torch::Tensor& lam);

 protected:
  // Draws, in MMAction2's order: the pairing permutation, lam, then the box centre.
  std::pair<torch::Tensor, torch::Tensor> do_blending(const torch::Tensor& imgs,
                                                      const torch::Tensor& label) const override;

 private:
  double alpha_;
};

}  // namespace tubelet
