// mmcv's RoIAlign and RoIPool (mmcv.ops, 1.7.0) on LibTorch tensor ops: CPU and CUDA alike,
// differentiable through autograd. `rois` is [K, 5]: (batch index, x1, y1, x2, y2) in input
// image coordinates; the result is [K, C, out_h, out_w].
#pragma once

#include <torch/arg.h>
#include <torch/types.h>

#include <string>
#include <vector>

namespace tubelet {

struct RoIAlignOptions {
  /// (out_h, out_w); one value means a square.
  TORCH_ARG(std::vector<int64_t>, output_size) = {7, 7};
  TORCH_ARG(double, spatial_scale) = 1.0;
  /// Bilinear samples per bin side; 0: ceil(roi size / output size) for each RoI (adaptive).
  TORCH_ARG(int64_t, sampling_ratio) = 0;
  /// "avg" (mean of the samples) or "max" (largest sample).
  TORCH_ARG(std::string, pool_mode) = "avg";
  /// True: pixel centres at +0.5 (no legacy +1 / minimum size 1 of the RoI).
  TORCH_ARG(bool, aligned) = true;
};

struct RoIPoolOptions {
  TORCH_ARG(std::vector<int64_t>, output_size) = {7, 7};
  TORCH_ARG(double, spatial_scale) = 1.0;
};

// mmcv.ops.roi_align. `input` [N, C, H, W] (float or double); throws std::invalid_argument
// (naming RoIAlign and the argument) on bad shapes, options or batch indices.
torch::Tensor roi_align(const torch::Tensor& input, const torch::Tensor& rois,
                        const RoIAlignOptions& options);
// mmcv.ops.roi_pool: the max of each quantised bin (0 for an empty bin).
torch::Tensor roi_pool(const torch::Tensor& input, const torch::Tensor& rois,
                       const RoIPoolOptions& options);

}  // namespace tubelet
