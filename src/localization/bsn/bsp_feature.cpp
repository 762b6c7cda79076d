#include "tubelet/localization/bsn/bsp_feature.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace tubelet::bsn {

namespace {

// numpy.interp on increasing xp: fp[0] left of xp, fp.back() right of it.
double interp(double x, const std::vector<double>& xp, const std::vector<double>& fp) {
  if (x < xp.front()) return fp.front();
  if (x > xp.back()) return fp.back();
  const size_t j = static_cast<size_t>(std::upper_bound(xp.begin(), xp.end(), x) - xp.begin()) - 1;
  if (j == xp.size() - 1 || xp[j] == x) return fp[j];
  const double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
  return slope * (x - xp[j]) + fp[j];
}

// The actionness curve padded with zeros either side, and the time of each of its points.
struct Curve {
  std::vector<double> t, score;
};

Curve padded_curve(const torch::Tensor& tem_results) {
  torch::Tensor table = tem_results.to(torch::kFloat).contiguous();
  auto a = table.accessor<float, 2>();
  const int64_t scale = table.size(0);
  // float32 arithmetic where MMAction2 subtracts two float32 values
  const float gap = a[0][4] - a[0][3];
  const int64_t extend = static_cast<int64_t>(static_cast<double>(scale) / 4 + 10);
  Curve c;
  for (int64_t i = 0; i < extend; ++i) {
    c.t.push_back(-static_cast<double>(gap) / 2 - static_cast<double>(extend - 1 - i) * gap);
    c.score.push_back(0);
  }
  for (int64_t i = 0; i < scale; ++i) {
    c.t.push_back(static_cast<double>(gap) / 2 + static_cast<double>(i) * gap);
    c.score.push_back(a[i][0]);
  }
  const float last_tmax = a[scale - 1][4];
  for (int64_t i = 0; i < extend; ++i) {
    c.t.push_back(static_cast<double>(gap) / 2 + last_tmax + static_cast<double>(i) * gap);
    c.score.push_back(0);
  }
  return c;
}

// `samples` values, each the mean of interp+1 curve points (neighbours share an end point),
// over points spaced `step / interp` apart starting half a step before `from`.
void sample_region(const Curve& curve, double from, double step, int64_t samples,
                   int64_t interp_points, double* out) {
  const double sub = step / static_cast<double>(interp_points);
  std::vector<double> y(static_cast<size_t>(samples * interp_points + 1));
  for (size_t i = 0; i < y.size(); ++i)
    y[i] = interp(from - step / 2 + sub * static_cast<double>(i), curve.t, curve.score);
  for (int64_t s = 0; s < samples; ++s) {
    double sum = 0;
    for (int64_t k = 0; k <= interp_points; ++k) sum += y[s * interp_points + k];
    out[s] = sum / static_cast<double>(interp_points + 1);
  }
}

void check_bsp_feature(const torch::Tensor& tem_results, const torch::Tensor& proposals,
                       const BspFeatureOptions& o) {
  if (tem_results.dim() != 2 || tem_results.size(0) < 1 || tem_results.size(1) < 5)
    throw std::invalid_argument(
        "TEM results must be rows of action,start,end,tmin,tmax; got shape " +
        c10::str(tem_results.sizes()));
  if (proposals.dim() != 2 || proposals.size(1) < 2)
    throw std::invalid_argument("proposals must be rows of tmin,tmax,...; got shape " +
                                c10::str(proposals.sizes()));
  if (o.num_sample_start() < 2 || o.num_sample_end() < 2 || o.num_sample_action() < 2 ||
      o.num_sample_interp() < 1)
    throw std::invalid_argument(
        "num_sample_start/end/action must be at least 2 and num_sample_interp at least 1");
}

}  // namespace

torch::Tensor generate_bsp_feature(const torch::Tensor& tem_results, const torch::Tensor& proposals,
                                   const BspFeatureOptions& options) {
  check_bsp_feature(tem_results, proposals, options);
  const Curve curve = padded_curve(tem_results);
  // [:top_k], a negative top_k counting from the end as Python's slices do
  const int64_t total = proposals.size(0), k = options.top_k();
  const int64_t n = k < 0 ? std::max<int64_t>(0, total + k) : std::min(total, k);
  torch::Tensor props = proposals.to(torch::kFloat).contiguous();
  auto p = props.accessor<float, 2>();
  const int64_t n_action = options.num_sample_action(), n_start = options.num_sample_start();
  const int64_t n_end = options.num_sample_end(), interp_points = options.num_sample_interp();
  const double ratio = options.bsp_boundary_ratio();
  torch::Tensor out = torch::empty({n, options.feature_dim()}, torch::kDouble);
  for (int64_t r = 0; r < n; ++r) {
    const float tmin = p[r][0], tmax = p[r][1];
    const float tlen = tmax - tmin;  // float32, as in MMAction2
    const double tmin_0 = tmin - tlen * ratio, tmin_1 = tmin + tlen * ratio;
    const double tmax_0 = tmax - tlen * ratio, tmax_1 = tmax + tlen * ratio;
    double* row = out[r].data_ptr<double>();
    sample_region(curve, tmin, static_cast<double>(tlen) / static_cast<double>(n_action - 1),
                  n_action, interp_points, row);
    sample_region(curve, tmin_0, (tmin_1 - tmin_0) / static_cast<double>(n_start - 1), n_start,
                  interp_points, row + n_action);
    sample_region(curve, tmax_0, (tmax_1 - tmax_0) / static_cast<double>(n_end - 1), n_end,
                  interp_points, row + n_action + n_start);
  }
  return out;
}

}  // namespace tubelet::bsn
