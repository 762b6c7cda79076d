// mmcv's DropPath (stochastic depth): in training, each sample's whole residual branch is
// zeroed with probability drop_prob and the kept ones are scaled by 1 / (1 - drop_prob).
#pragma once

#include <torch/nn/cloneable.h>

namespace tubelet {

class DropPathImpl : public torch::nn::Cloneable<DropPathImpl> {
 public:
  explicit DropPathImpl(double drop_prob = 0.1) : drop_prob(drop_prob) {}
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& x);
  void pretty_print(std::ostream& stream) const override;

  double drop_prob;
};
TORCH_MODULE(DropPath);

}  // namespace tubelet
