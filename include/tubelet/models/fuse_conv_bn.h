// mmcv's fuse_conv_bn (mmcv.cnn.utils.fuse_conv_bn) for Tubelet's ConvModules: in eval mode a
// batch norm after a convolution is an affine map per output channel, so it can be folded
// into the convolution's weight and bias and skipped. On the CPU that saves a full read and
// write of every normalised activation (TSN-R50: ~18% of the backbone's time).
#pragma once

#include <cstdint>

#include <torch/nn/module.h>

namespace tubelet {

// Folds, in every ConvModule of `module` whose order has "norm" right after "conv", a
// BatchNorm (BN, BN2d, BN3d, SyncBN with running statistics) into its Conv2d/Conv3d:
//   w' = w * g / sqrt(var + eps),   b' = (b - mean) * g / sqrt(var + eps) + beta,
// computed in double. The conv is replaced by one with a bias (in the checkpoint's place,
// `<m>.conv`, its weight keeping the old one's device, dtype and memory format), and the
// ConvModule stops calling the norm, which stays registered with its statistics. Outputs are
// those of the unfused module up to float rounding. For inference only: the module must be
// in eval mode (throws std::logic_error otherwise) and should not be trained or saved after.
// Other ConvModules (TSM's shifted convs, GroupNorm, norm before conv) are left as they are.
// Returns how many norms were folded.
int64_t fuse_conv_bn(torch::nn::Module& module);

}  // namespace tubelet
