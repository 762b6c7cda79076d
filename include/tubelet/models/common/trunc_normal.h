// mmcv's trunc_normal_ (PyTorch's nn.init.trunc_normal_): a normal(mean, std) draw truncated
// to [a, b], where a and b are absolute bounds (not in units of std).
#pragma once

#include <torch/types.h>

namespace tubelet {

void trunc_normal_(torch::Tensor tensor, double mean = 0, double std = 1, double a = -2,
                   double b = 2);

}  // namespace tubelet
