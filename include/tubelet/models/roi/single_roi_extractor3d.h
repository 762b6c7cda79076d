// MMAction2's SingleRoIExtractor3D (registered in mmdet's ROI_EXTRACTORS there): RoI features of
// every (temporally pooled) frame of a 3D feature map, optionally next to the frame's global
// average. No parameters.
#pragma once

#include <torch/arg.h>
#include <torch/nn/module.h>

#include <string>
#include <utility>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/models/roi/roi_align.h"

namespace tubelet {

struct SingleRoIExtractor3DOptions {
  /// "RoIAlign" or "RoIPool".
  TORCH_ARG(std::string, roi_layer_type) = "RoIAlign";
  TORCH_ARG(int64_t, featmap_stride) = 16;
  TORCH_ARG(std::vector<int64_t>, output_size) = {16};
  TORCH_ARG(int64_t, sampling_ratio) = 0;
  TORCH_ARG(std::string, pool_mode) = "avg";
  TORCH_ARG(bool, aligned) = true;
  TORCH_ARG(bool, with_temporal_pool) = true;
  /// "avg" or "max".
  TORCH_ARG(std::string, temporal_pool_mode) = "avg";
  TORCH_ARG(bool, with_global) = false;

 public:
  // Reads the module's arguments (the config's `type` already taken); errors name `args`.
  static SingleRoIExtractor3DOptions from_config(Args& args);
};

class SingleRoIExtractor3DImpl : public torch::nn::Module {
 public:
  explicit SingleRoIExtractor3DImpl(const SingleRoIExtractor3DOptions& options);

  // feats: one [N, C, T, H, W] map, or several (SlowFast's slow and fast: resized, nearest, to
  // the largest T and the first map's H, W, then concatenated along C). rois [K, 5].
  // Returns the RoI features [K, C', T', out_h, out_w] and the pooled, concatenated map
  // [N, C, T', H, W] (T' = 1 with the temporal pool).
  std::pair<torch::Tensor, torch::Tensor> forward(const std::vector<torch::Tensor>& feats,
                                                  const torch::Tensor& rois);

  SingleRoIExtractor3DOptions options;
};
TORCH_MODULE(SingleRoIExtractor3D);

}  // namespace tubelet
