#include "tubelet/models/roi/roi_align.h"

#include <torch/torch.h>

#include <array>
#include <cfloat>
#include <stdexcept>

namespace tubelet {

namespace {

std::pair<int64_t, int64_t> roi_op_output_size(const std::vector<int64_t>& size, const char* op) {
  if (size.size() == 1 && size[0] > 0) return {size[0], size[0]};
  if (size.size() == 2 && size[0] > 0 && size[1] > 0) return {size[0], size[1]};
  throw std::invalid_argument(std::string(op) +
                              ": output_size must be a positive int or a pair of them, got " +
                              c10::str(size));
}

// The checks both ops share; returns the RoIs in the input's dtype and the batch indices.
std::pair<torch::Tensor, torch::Tensor> roi_op_checked(const torch::Tensor& input,
                                                       const torch::Tensor& rois, const char* op) {
  if (!input.defined() || input.dim() != 4)
    throw std::invalid_argument(std::string(op) + ": input must be [N, C, H, W], got " +
                                (input.defined() ? c10::str(input.sizes()) : "undefined"));
  if (!input.is_floating_point())
    throw std::invalid_argument(std::string(op) + ": input must be a floating-point tensor");
  if (!rois.defined() || rois.dim() != 2 || rois.size(1) != 5)
    throw std::invalid_argument(std::string(op) +
                                ": rois must be [K, 5] (batch index, x1, y1, x2, y2), got " +
                                (rois.defined() ? c10::str(rois.sizes()) : "undefined"));
  torch::Tensor r = rois.to(input.device(), input.scalar_type()).detach();
  torch::Tensor batch = r.select(1, 0).to(torch::kLong);
  if (r.size(0) > 0) {
    const int64_t lo = batch.min().item<int64_t>(), hi = batch.max().item<int64_t>();
    if (lo < 0 || hi >= input.size(0))
      throw std::invalid_argument(
          std::string(op) + ": a RoI's batch index (" + std::to_string(lo < 0 ? lo : hi) +
          ") is outside the input's batch of " + std::to_string(input.size(0)));
  }
  return {r, batch};
}

// Bilinear corner indices and weights along one axis, as mmcv's bilinear_interpolate: `c` the
// sample coordinates, `size` the axis length. `inside` is false where the sample lies beyond
// [-1, size].
struct RoIAlignAxis {
  torch::Tensor low, high, w_low, w_high, inside;
};

RoIAlignAxis roi_align_axis(const torch::Tensor& c, int64_t size) {
  RoIAlignAxis a;
  a.inside = (c >= -1.0) & (c <= double(size));
  torch::Tensor v = c.clamp_min(0);
  torch::Tensor low = v.floor().to(torch::kLong);  // v >= 0: (int) truncation
  torch::Tensor at_end = low >= size - 1;
  a.low = torch::where(at_end, torch::full_like(low, size - 1), low);
  a.high = torch::where(at_end, a.low, low + 1);
  v = torch::where(at_end, a.low.to(v.scalar_type()), v);
  a.w_high = v - a.low.to(v.scalar_type());  // ly
  a.w_low = 1 - a.w_high;                    // hy
  return a;
}

}  // namespace

torch::Tensor roi_align(const torch::Tensor& input, const torch::Tensor& rois,
                        const RoIAlignOptions& o) {
  const auto [PH, PW] = roi_op_output_size(o.output_size(), "RoIAlign");
  if (o.pool_mode() != "avg" && o.pool_mode() != "max")
    throw std::invalid_argument("RoIAlign: pool_mode must be 'avg' or 'max', got '" +
                                o.pool_mode() + "'");
  if (o.sampling_ratio() < 0)
    throw std::invalid_argument("RoIAlign: sampling_ratio must be >= 0, got " +
                                std::to_string(o.sampling_ratio()));
  auto [r, batch] = roi_op_checked(input, rois, "RoIAlign");
  const int64_t K = r.size(0), N = input.size(0), C = input.size(1), H = input.size(2),
                W = input.size(3);
  if (K == 0) return torch::zeros({0, C, PH, PW}, input.options());

  const double offset = o.aligned() ? 0.5 : 0.0;
  const double scale = o.spatial_scale();
  torch::Tensor start_w = r.select(1, 1) * scale - offset,
                start_h = r.select(1, 2) * scale - offset;
  torch::Tensor end_w = r.select(1, 3) * scale - offset, end_h = r.select(1, 4) * scale - offset;
  torch::Tensor roi_w = end_w - start_w, roi_h = end_h - start_h;
  if (o.aligned()) {
    if ((roi_w < 0).any().item<bool>() || (roi_h < 0).any().item<bool>())
      throw std::invalid_argument(
          "RoIAlign: a RoI has a negative width or height (x2 < x1 or "
          "y2 < y1), which aligned=True does not accept");
  } else {
    roi_w = roi_w.clamp_min(1.0);
    roi_h = roi_h.clamp_min(1.0);
  }
  torch::Tensor bin_h = roi_h / double(PH), bin_w = roi_w / double(PW);
  torch::Tensor grid_h, grid_w;  // samples per bin side, per RoI
  if (o.sampling_ratio() > 0) {
    grid_h = torch::full({K}, o.sampling_ratio(), batch.options());
    grid_w = grid_h;
  } else {
    grid_h = (roi_h / double(PH)).ceil().to(torch::kLong);
    grid_w = (roi_w / double(PW)).ceil().to(torch::kLong);
  }
  const int64_t GH = std::max<int64_t>(grid_h.max().item<int64_t>(), 1);
  const int64_t GW = std::max<int64_t>(grid_w.max().item<int64_t>(), 1);

  // Sample coordinates, as mmcv: start + p * bin + (i + .5) * bin / grid.
  auto coords = [&](const torch::Tensor& start, const torch::Tensor& bin, const torch::Tensor& grid,
                    int64_t P, int64_t G) {
    auto fopt = start.options();
    torch::Tensor p = torch::arange(P, fopt).view({1, P, 1});
    torch::Tensor i = torch::arange(G, fopt).add(0.5).view({1, 1, G});
    torch::Tensor g = grid.clamp_min(1).to(start.scalar_type()).view({K, 1, 1});
    return (start.view({K, 1, 1}) + p * bin.view({K, 1, 1})) + i * bin.view({K, 1, 1}) / g;
  };
  RoIAlignAxis ay = roi_align_axis(coords(start_h, bin_h, grid_h, PH, GH), H);  // [K, PH, GH]
  RoIAlignAxis ax = roi_align_axis(coords(start_w, bin_w, grid_w, PW, GW), W);  // [K, PW, GW]
  // Samples beyond a RoI's own grid (adaptive grids differ between RoIs) do not count.
  torch::Tensor used_y =
      (torch::arange(GH, batch.options()).view({1, 1, GH}) < grid_h.view({K, 1, 1}))
          .expand({K, PH, GH});
  torch::Tensor used_x =
      (torch::arange(GW, batch.options()).view({1, 1, GW}) < grid_w.view({K, 1, 1}))
          .expand({K, PW, GW});

  // To [K, PH, GH, PW, GW].
  auto yv = [&](const torch::Tensor& t) { return t.reshape({K, PH, GH, 1, 1}); };
  auto xv = [&](const torch::Tensor& t) { return t.reshape({K, 1, 1, PW, GW}); };
  torch::Tensor inside = yv(ay.inside) & xv(ax.inside);
  torch::Tensor used = yv(used_y) & xv(used_x);
  const bool avg = o.pool_mode() == "avg";
  // Avg mode weighs unused samples 0; max mode masks them afterwards.
  torch::Tensor keep = (avg ? (inside & used) : inside).to(input.scalar_type());
  torch::Tensor base = batch.view({K, 1, 1, 1, 1}) * (H * W);
  torch::Tensor rows = input.permute({0, 2, 3, 1}).reshape({N * H * W, C});
  const int64_t S = PH * GH * PW * GW;
  const std::array<std::array<const torch::Tensor*, 4>, 4> corners = {{
      {&ay.low, &ax.low, &ay.w_low, &ax.w_low},
      {&ay.low, &ax.high, &ay.w_low, &ax.w_high},
      {&ay.high, &ax.low, &ay.w_high, &ax.w_low},
      {&ay.high, &ax.high, &ay.w_high, &ax.w_high},
  }};
  // The input row (n, y, x) and bilinear weight of each corner of each sample, [K, PH, GH, PW, GW].
  auto corner_index = [&](const auto& c) { return base + yv(*c[0]) * W + xv(*c[1]); };
  auto corner_weight = [&](const auto& c) { return yv(*c[2]) * xv(*c[3]) * keep; };
  if (avg) {
    // The average is linear in the input: one sparse [K * PH * PW, N * H * W] matrix of
    // bilinear weights over the grid size, applied with a matrix product (autograd's
    // backward is its transpose), so no [samples, C] temporary is made.
    torch::Tensor count = (grid_h * grid_w).clamp_min(1).to(input.scalar_type());
    torch::Tensor out_row = (torch::arange(K, batch.options()).view({K, 1, 1, 1, 1}) * PH +
                             torch::arange(PH, batch.options()).view({1, PH, 1, 1, 1})) *
                                PW +
                            torch::arange(PW, batch.options()).view({1, 1, 1, PW, 1});
    out_row = out_row.expand({K, PH, GH, PW, GW}).reshape({-1});
    std::vector<torch::Tensor> row_ids, col_ids, values;
    for (const auto& c : corners) {
      row_ids.push_back(out_row);
      col_ids.push_back(corner_index(c).reshape({-1}));
      values.push_back((corner_weight(c) / count.view({K, 1, 1, 1, 1})).reshape({-1}));
    }
    torch::Tensor weights = torch::sparse_coo_tensor(
        torch::stack({torch::cat(row_ids), torch::cat(col_ids)}), torch::cat(values),
        {K * PH * PW, N * H * W}, input.options().layout(torch::kSparse));
    return torch::mm(weights, rows).view({K, PH, PW, C}).permute({0, 3, 1, 2}).contiguous();
  }
  torch::Tensor val;
  for (const auto& c : corners) {
    torch::Tensor v = corner_weight(c).reshape({K, S, 1}) *
                      rows.index_select(0, corner_index(c).reshape({K * S})).view({K, S, C});
    val = val.defined() ? val + v : v;
  }
  // [K, PH, GH, PW, GW, C] -> [K, C, PH, PW, GH * GW]
  val =
      val.view({K, PH, GH, PW, GW, C}).permute({0, 5, 1, 3, 2, 4}).reshape({K, C, PH, PW, GH * GW});
  torch::Tensor used_flat = used.permute({0, 1, 3, 2, 4}).reshape({K, 1, PH, PW, GH * GW});
  val = torch::where(used_flat, val, torch::full({}, -INFINITY, input.options()));
  torch::Tensor out = std::get<0>(val.max(-1));
  // An empty grid (a zero-size RoI, adaptive sampling) gives -FLT_MAX, as mmcv's CUDA kernel.
  torch::Tensor empty = (grid_h * grid_w == 0).view({K, 1, 1, 1});
  return torch::where(empty, torch::full({}, -FLT_MAX, input.options()), out);
}

torch::Tensor roi_pool(const torch::Tensor& input, const torch::Tensor& rois,
                       const RoIPoolOptions& o) {
  const auto [PH, PW] = roi_op_output_size(o.output_size(), "RoIPool");
  auto [r, batch] = roi_op_checked(input, rois, "RoIPool");
  const int64_t K = r.size(0), N = input.size(0), C = input.size(1), H = input.size(2),
                W = input.size(3);
  if (K == 0) return torch::zeros({0, C, PH, PW}, input.options());
  const double scale = o.spatial_scale();
  // mmcv's roi_pool kernel: (x2 + 1) * scale, no rounding; bins floor/ceil'd then clipped.
  torch::Tensor x1 = r.select(1, 1) * scale, y1 = r.select(1, 2) * scale;
  torch::Tensor x2 = (r.select(1, 3) + 1) * scale, y2 = (r.select(1, 4) + 1) * scale;
  torch::Tensor roi_w = x2 - x1, roi_h = y2 - y1;
  torch::Tensor valid = (roi_w > 0) & (roi_h > 0);  // mmcv leaves such outputs 0
  auto bins = [&](const torch::Tensor& start, const torch::Tensor& size, int64_t P, int64_t L) {
    torch::Tensor bin = (size / double(P)).view({K, 1});
    torch::Tensor p = torch::arange(P, start.options()).view({1, P});
    torch::Tensor lo = (p * bin + start.view({K, 1})).floor().to(torch::kLong).clamp(0, L);
    torch::Tensor hi = ((p + 1) * bin + start.view({K, 1})).ceil().to(torch::kLong).clamp(0, L);
    return std::make_pair(lo, hi);  // [K, P]
  };
  auto [ylo, yhi] = bins(y1, roi_h, PH, H);
  auto [xlo, xhi] = bins(x1, roi_w, PW, W);
  const int64_t KH = std::max<int64_t>((yhi - ylo).max().item<int64_t>(), 1);
  const int64_t KW = std::max<int64_t>((xhi - xlo).max().item<int64_t>(), 1);
  torch::Tensor ky = torch::arange(KH, batch.options()).view({1, 1, KH});
  torch::Tensor kx = torch::arange(KW, batch.options()).view({1, 1, KW});
  torch::Tensor yi = ylo.unsqueeze(2) + ky, xi = xlo.unsqueeze(2) + kx;  // [K, P, KH]
  torch::Tensor in_y = yi < yhi.unsqueeze(2), in_x = xi < xhi.unsqueeze(2);
  yi = yi.clamp(0, H - 1);
  xi = xi.clamp(0, W - 1);
  torch::Tensor index = batch.view({K, 1, 1, 1, 1}) * (H * W) + yi.view({K, PH, KH, 1, 1}) * W +
                        xi.view({K, 1, 1, PW, KW});
  torch::Tensor in_bin = in_y.view({K, PH, KH, 1, 1}) & in_x.view({K, 1, 1, PW, KW});
  torch::Tensor rows = input.permute({0, 2, 3, 1}).reshape({N * H * W, C});
  torch::Tensor val = rows.index_select(0, index.reshape({-1}))
                          .view({K, PH, KH, PW, KW, C})
                          .permute({0, 5, 1, 3, 2, 4})
                          .reshape({K, C, PH, PW, KH * KW});
  torch::Tensor mask = in_bin.permute({0, 1, 3, 2, 4}).reshape({K, 1, PH, PW, KH * KW});
  val = torch::where(mask, val, torch::full({}, -INFINITY, input.options()));
  torch::Tensor out = std::get<0>(val.max(-1));
  torch::Tensor empty = ~(yhi > ylo).view({K, 1, PH, 1}) | ~(xhi > xlo).view({K, 1, 1, PW}) |
                        ~valid.view({K, 1, 1, 1});
  return torch::where(empty, torch::zeros({}, input.options()), out);
}

}  // namespace tubelet
