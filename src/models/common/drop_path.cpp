#include "tubelet/models/common/drop_path.h"

#include <torch/torch.h>

namespace tubelet {

torch::Tensor DropPathImpl::forward(const torch::Tensor& x) {
  if (drop_prob == 0.0 || !is_training()) return x;
  double keep_prob = 1.0 - drop_prob;
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[0] = x.size(0);
  // floor(keep_prob + U[0, 1)) is 1 with probability keep_prob: one draw per sample.
  torch::Tensor keep = (torch::rand(shape, x.options()) + keep_prob).floor_();
  return x.div(keep_prob) * keep;
}

void DropPathImpl::pretty_print(std::ostream& stream) const {
  stream << "DropPath(drop_prob=" << drop_prob << ")";
}

}  // namespace tubelet
