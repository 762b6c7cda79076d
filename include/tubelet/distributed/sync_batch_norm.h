// torch.nn.SyncBatchNorm's training pass: batch statistics over the whole distributed batch
// (each rank's per-channel sum, sum of squares and count all-reduced), and in backward the
// per-channel sums of the output gradient all-reduced the same way. The weight and bias
// gradients stay local, as PyTorch's, so DistributedDataParallel's averaging gives the
// whole batch's. mmcv's `norm_cfg=dict(type='SyncBN')` layers use it in a distributed run.
#pragma once

#include <torch/types.h>

#include "tubelet/distributed/process_group.h"

namespace tubelet::dist {

// input [N, C, ...]; weight/bias [C] or undefined (no affine); running_mean/var [C], updated
// in place with `momentum` (the variance unbiased over the global count), or undefined.
torch::Tensor sync_batch_norm(const torch::Tensor& input, const torch::Tensor& weight,
                              const torch::Tensor& bias, torch::Tensor running_mean,
                              torch::Tensor running_var, double momentum, double eps,
                              ProcessGroup& group);

}  // namespace tubelet::dist
