#include "tubelet/evaluation/average_precision.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace tubelet {

PrecisionRecallCurve binary_precision_recall_curve(const std::vector<double>& score,
                                                   const std::vector<double>& truth) {
  if (score.size() != truth.size() || score.empty())
    throw std::invalid_argument("binary_precision_recall_curve: scores and labels differ in size");
  const size_t n = score.size();
  // Descending by score; among equal scores the later index first (a reversed stable sort).
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return score[a] < score[b]; });
  std::reverse(order.begin(), order.end());
  std::vector<size_t> thresholds;
  for (size_t i = 0; i + 1 < n; ++i)
    if (score[order[i + 1]] != score[order[i]]) thresholds.push_back(i);
  thresholds.push_back(n - 1);
  std::vector<double> cumulative(n);
  double positives = 0;
  for (size_t i = 0; i < n; ++i) cumulative[i] = positives += truth[order[i]] == 1.0;
  std::vector<double> tps, precision, recall;
  for (size_t t : thresholds) tps.push_back(cumulative[t]);
  const double all = tps.back();
  size_t last = static_cast<size_t>(std::lower_bound(tps.begin(), tps.end(), all) - tps.begin());
  PrecisionRecallCurve curve;
  for (size_t i = last + 1; i-- > 0;) {
    const double fps = 1.0 + static_cast<double>(thresholds[i]) - tps[i];
    curve.precision.push_back(tps[i] / (tps[i] + fps));
    curve.recall.push_back(tps[i] / all);
    curve.thresholds.push_back(score[order[thresholds[i]]]);
  }
  curve.precision.push_back(1.0);
  curve.recall.push_back(0.0);
  return curve;
}

double average_precision(const std::vector<double>& score, const std::vector<double>& truth) {
  PrecisionRecallCurve c = binary_precision_recall_curve(score, truth);
  double sum = 0;
  for (size_t i = 0; i + 1 < c.recall.size(); ++i)
    sum += (c.recall[i + 1] - c.recall[i]) * c.precision[i];
  return -sum;
}

namespace {

std::vector<std::vector<double>> rows(const torch::Tensor& t) {
  torch::Tensor d = t.detach().to(torch::kCPU, torch::kDouble).contiguous();
  auto a = d.accessor<double, 2>();
  std::vector<std::vector<double>> out(d.size(0));
  for (int64_t i = 0; i < d.size(0); ++i)
    for (int64_t j = 0; j < d.size(1); ++j) out[i].push_back(a[i][j]);
  return out;
}

void check(const torch::Tensor& scores, const torch::Tensor& labels, const char* who) {
  if (scores.dim() != 2 || !labels.sizes().equals(scores.sizes()))
    throw std::invalid_argument(std::string(who) +
                                ": scores and many-hot labels must both be [N, num_classes]");
}

}  // namespace

double mean_average_precision(const torch::Tensor& scores, const torch::Tensor& labels) {
  check(scores, labels, "mean_average_precision");
  auto s = rows(scores.t()), l = rows(labels.t());
  double sum = 0;
  int64_t kept = 0;
  for (size_t c = 0; c < s.size(); ++c) {
    double ap = average_precision(s[c], l[c]);
    if (std::isnan(ap)) continue;
    sum += ap;
    ++kept;
  }
  return kept ? sum / static_cast<double>(kept) : std::nan("");
}

double mmit_mean_average_precision(const torch::Tensor& scores, const torch::Tensor& labels) {
  check(scores, labels, "mmit_mean_average_precision");
  auto s = rows(scores), l = rows(labels);
  double sum = 0;
  for (size_t i = 0; i < s.size(); ++i) sum += average_precision(s[i], l[i]);
  return s.empty() ? std::nan("") : sum / static_cast<double>(s.size());
}

}  // namespace tubelet
