// BSN's proposal generation module (PGM), second half: the boundary-sensitive proposal (BSP)
// feature of each candidate proposal, sampled from the TEM's actionness curve as MMAction2's
// generate_bsp_feature samples it. The PEM scores proposals from these features.
#pragma once

#include <torch/arg.h>
#include <torch/types.h>

namespace tubelet::bsn {

struct BspFeatureOptions {
  // Proposals (the first rows of the proposal file, best first) to compute features for.
  TORCH_ARG(int64_t, top_k) = 1000;
  // The start and end regions reach this fraction of the proposal's length either side.
  TORCH_ARG(double, bsp_boundary_ratio) = 0.2;
  TORCH_ARG(int64_t, num_sample_start) = 8;
  TORCH_ARG(int64_t, num_sample_end) = 8;
  TORCH_ARG(int64_t, num_sample_action) = 16;
  // Interpolated points averaged into each sample.
  TORCH_ARG(int64_t, num_sample_interp) = 3;

 public:
  int64_t feature_dim() const { return num_sample_action_ + num_sample_start_ + num_sample_end_; }
};

// tem_results: [T, >= 5] (action, start, end, tmin, tmax) float32 as read from the TEM's CSV;
// proposals: [N, >= 2] (tmin, tmax, ...) float32 as read from the proposal CSV. Returns a
// float64 [min(N, top_k), feature_dim()] tensor: per proposal the actionness samples inside
// it, then around its start, then around its end (the curve is zero outside the video).
torch::Tensor generate_bsp_feature(const torch::Tensor& tem_results, const torch::Tensor& proposals,
                                   const BspFeatureOptions& options);

}  // namespace tubelet::bsn
