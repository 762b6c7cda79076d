// MMAction2's MixupBlending (mixup: Beyond Empirical Risk Minimization): every video and its
// label become lam * itself + (1 - lam) * another video of the batch, lam ~ Beta(alpha, alpha).
#pragma once

#include "tubelet/data/blendings/base_blending.h"

namespace tubelet {

class MixupBlending : public BaseMiniBatchBlending {
 public:
  MixupBlending(int64_t num_classes, double alpha = 0.2);
  double alpha() const { return alpha_; }

 protected:
  // Draws, in MMAction2's order: lam, then the pairing permutation (torch.randperm).
  std::pair<torch::Tensor, torch::Tensor> do_blending(const torch::Tensor& imgs,
                                                      const torch::Tensor& label) const override;

 private:
  double alpha_;
};

}  // namespace tubelet
