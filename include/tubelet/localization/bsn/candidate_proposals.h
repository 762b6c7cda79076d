// BSN's proposal generation module (PGM), first half: candidate proposals from the start and
// end probability curves the TEM wrote, as MMAction2's generate_candidate_proposals makes them.
#pragma once

#include <torch/arg.h>
#include <torch/types.h>

#include <utility>
#include <vector>

namespace tubelet::bsn {

struct CandidateProposalsOptions {
  // Positions on the temporal axis (the TEM's temporal_dim).
  TORCH_ARG(int64_t, temporal_scale) = 100;
  // A position is a boundary candidate where its probability is a local peak or above
  // peak_threshold times the curve's maximum.
  TORCH_ARG(double, peak_threshold) = 0.5;
};

// The columns of a candidate proposal row (the header of the proposal CSVs).
inline constexpr const char* kProposalHeader =
    "tmin,tmax,tmin_score,tmax_score,score,match_iou,match_ioa";

// tem_results: [rows >= temporal_scale, >= 3] (action, start, end, ...), float32 as read from
// the TEM's CSV. gt: the video's ground-truth segments in feature time (video_infos.h).
// Returns a float64 [N, 7] tensor (kProposalHeader): every start candidate paired with every
// later end candidate, at bin centres, score = tmin_score * tmax_score, sorted by score
// (descending; equal scores in reverse order of generation, as numpy's argsort()[::-1] leaves
// them), then each proposal's best IoU and IoP against the ground truth.
torch::Tensor generate_candidate_proposals(const torch::Tensor& tem_results,
                                           const std::vector<std::pair<double, double>>& gt,
                                           const CandidateProposalsOptions& options);

}  // namespace tubelet::bsn
