#include "tubelet/localization/bsn/candidate_proposals.h"

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "tubelet/localization/temporal_overlap.h"

namespace tubelet::bsn {

namespace {

// Positions where `scores` peaks or passes the threshold. The first and the last row are
// always candidates; like MMAction2, peaks are looked for in [1, temporal_scale - 2] only.
std::vector<bool> boundary_bins(const std::vector<float>& scores, int64_t tscale,
                                double peak_threshold) {
  std::vector<bool> bins(scores.size(), false);
  bins.front() = bins.back() = true;
  const double limit = peak_threshold * *std::max_element(scores.begin(), scores.end());
  for (int64_t i = 1; i < tscale - 1; ++i) {
    const bool peak = scores[i] > scores[i + 1] && scores[i] > scores[i - 1];
    if (peak || scores[i] > limit) bins[i] = true;
  }
  return bins;
}

std::vector<float> column(const torch::Tensor& table, int64_t c) {
  torch::Tensor col = table.select(1, c).to(torch::kFloat).contiguous();
  return std::vector<float>(col.data_ptr<float>(), col.data_ptr<float>() + col.numel());
}

struct Candidate {
  double t;
  float score;
};

std::vector<Candidate> candidates(const std::vector<float>& scores, const std::vector<bool>& bins,
                                  int64_t tscale) {
  const double tgap = 1. / static_cast<double>(tscale);
  std::vector<Candidate> out;
  for (int64_t i = 0; i < tscale; ++i)
    if (bins[i]) out.push_back({tgap / 2 + tgap * static_cast<double>(i), scores[i]});
  return out;
}

}  // namespace

torch::Tensor generate_candidate_proposals(const torch::Tensor& tem_results,
                                           const std::vector<std::pair<double, double>>& gt,
                                           const CandidateProposalsOptions& options) {
  const int64_t tscale = options.temporal_scale();
  if (tscale < 2) throw std::invalid_argument("temporal_scale must be at least 2");
  if (tem_results.dim() != 2 || tem_results.size(1) < 3 || tem_results.size(0) < tscale)
    throw std::invalid_argument("TEM results must have at least temporal_scale (" +
                                std::to_string(tscale) + ") rows of action,start,end; got shape " +
                                c10::str(tem_results.sizes()));
  if (gt.empty()) throw std::invalid_argument("no ground-truth segments to match proposals with");
  const std::vector<float> start = column(tem_results, 1), end = column(tem_results, 2);
  const std::vector<Candidate> tmins =
      candidates(start, boundary_bins(start, tscale, options.peak_threshold()), tscale);
  const std::vector<Candidate> tmaxs =
      candidates(end, boundary_bins(end, tscale, options.peak_threshold()), tscale);
  std::vector<std::array<double, 4>> props;
  for (const Candidate& tmax : tmaxs)
    for (const Candidate& tmin : tmins) {
      if (tmin.t >= tmax.t) break;
      props.push_back({tmin.t, tmax.t, tmin.score, tmax.score});
    }
  // A stable ascending sort read backwards is numpy's argsort()[::-1] for the small arrays it
  // insertion-sorts; for larger ones numpy's order of equal scores is not defined anyway.
  std::vector<size_t> order(props.size());
  std::iota(order.begin(), order.end(), 0);
  auto score = [&](size_t i) { return props[i][2] * props[i][3]; };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return score(a) < score(b); });
  std::reverse(order.begin(), order.end());
  const int64_t n = static_cast<int64_t>(props.size());
  torch::Tensor out = torch::empty({n, 7}, torch::kDouble);
  auto o = out.accessor<double, 2>();
  for (int64_t r = 0; r < n; ++r) {
    const auto& p = props[order[r]];
    double iou = -std::numeric_limits<double>::infinity(), iop = iou;
    for (const auto& [gmin, gmax] : gt) {
      iou = std::max(iou, temporal_iou<double>(p[0], p[1], gmin, gmax));
      iop = std::max(iop, temporal_iop<double>(p[0], p[1], gmin, gmax));
    }
    const double values[7] = {p[0], p[1], p[2], p[3], score(order[r]), iou, iop};
    for (int c = 0; c < 7; ++c) o[r][c] = values[c];
  }
  return out;
}

}  // namespace tubelet::bsn
