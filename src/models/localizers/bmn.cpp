#include "tubelet/models/localizers/bmn.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "tubelet/localization/temporal_overlap.h"
#include "tubelet/models/localizers/base_localizer.h"
#include "tubelet/models/registries.h"

namespace tubelet {

namespace {

using torch::nn::Conv1d;
using torch::nn::Conv1dOptions;
using torch::nn::Conv2d;
using torch::nn::Conv2dOptions;
using torch::nn::Conv3d;
using torch::nn::Conv3dOptions;
using torch::nn::ReLU;
using torch::nn::Sequential;
using torch::nn::Sigmoid;

Conv1d conv1d(int64_t in, int64_t out, int64_t kernel, int64_t groups = 1) {
  return Conv1d(Conv1dOptions(in, out, kernel).padding(kernel / 2).groups(groups));
}

Conv2d conv2d(int64_t in, int64_t out, int64_t kernel) {
  return Conv2d(Conv2dOptions(in, out, kernel).padding(kernel / 2));
}

// One bin's weights over the T steps for the window [tmin, tmax] sampled num_samples *
// per_bin times; column `s` of the returned [T, num_samples] (row-major) block.
void interp1d_bins(double tmin, double tmax, int64_t T, int64_t num_samples, int64_t per_bin,
                   std::vector<double>& out) {
  out.assign(static_cast<size_t>(T * num_samples), 0.0);
  const double step = (tmax - tmin) / (double(num_samples * per_bin) - 1.0);
  for (int64_t s = 0; s < num_samples; ++s) {
    std::vector<double> bin(static_cast<size_t>(T), 0.0);
    for (int64_t k = s * per_bin; k < (s + 1) * per_bin; ++k) {
      const double sample = tmin + step * double(k);
      const auto upper = static_cast<int64_t>(std::ceil(sample));
      double down = 0;
      const double decimal = std::modf(sample, &down);
      const auto lower = static_cast<int64_t>(down);  // Python's int(): toward zero
      if (lower >= 0 && lower <= T - 1) bin[lower] += 1 - decimal;
      if (upper >= 0 && upper <= T - 1) bin[upper] += decimal;
    }
    for (int64_t t = 0; t < T; ++t) out[t * num_samples + s] = 1.0 / double(per_bin) * bin[t];
  }
}

}  // namespace

torch::Tensor bmn_sample_mask(int64_t T, double boundary_ratio, int64_t num_samples,
                              int64_t per_bin) {
  // [T, num_samples, duration, start], flattened after the first dimension.
  torch::Tensor mask = torch::zeros({T, num_samples, T, T}, torch::kFloat);
  auto m = mask.accessor<float, 4>();
  std::vector<double> bins;
  for (int64_t start = 0; start < T; ++start) {
    for (int64_t duration = 0; start + duration < T; ++duration) {
      const double center_len = double(duration) + 1;
      const double tmin = double(start) - center_len * boundary_ratio;
      const double tmax = double(start + duration) + center_len * boundary_ratio;
      interp1d_bins(tmin, tmax, T, num_samples, per_bin, bins);
      for (int64_t t = 0; t < T; ++t)
        for (int64_t s = 0; s < num_samples; ++s)
          m[t][s][duration][start] = static_cast<float>(bins[t * num_samples + s]);
    }
  }
  return mask.view({T, -1});
}

BMNImpl::BMNImpl(BMNOptions options_, std::shared_ptr<BMNLossImpl> loss)
    : options(std::move(options_)), loss_cls(std::move(loss)) {
  const int64_t T = options.temporal_dim(), h1 = options.hidden_dim_1d(),
                h2 = options.hidden_dim_2d(), h3 = options.hidden_dim_3d();
  register_module("loss_cls", loss_cls);
  // First in the state_dict, as in MMAction2 (built before the layers).
  sample_mask =
      register_parameter("sample_mask",
                         bmn_sample_mask(T, options.boundary_ratio(), options.num_samples(),
                                         options.num_samples_per_bin()),
                         /*requires_grad=*/false);
  x_1d_b = register_module("x_1d_b", Sequential(conv1d(options.feat_dim(), h1, 3, 4), ReLU(),
                                                conv1d(h1, h1, 3, 4), ReLU()));
  x_1d_s = register_module("x_1d_s",
                           Sequential(conv1d(h1, h1, 3, 4), ReLU(), conv1d(h1, 1, 1), Sigmoid()));
  x_1d_e = register_module("x_1d_e",
                           Sequential(conv1d(h1, h1, 3, 4), ReLU(), conv1d(h1, 1, 1), Sigmoid()));
  x_1d_p = register_module("x_1d_p", Sequential(conv1d(h1, h1, 3), ReLU()));
  x_3d_p = register_module(
      "x_3d_p", Sequential(Conv3d(Conv3dOptions(h1, h3, {options.num_samples(), 1, 1})), ReLU()));
  x_2d_p =
      register_module("x_2d_p", Sequential(conv2d(h3, h2, 1), ReLU(), conv2d(h2, h2, 3), ReLU(),
                                           conv2d(h2, h2, 3), ReLU(), conv2d(h2, 2, 1), Sigmoid()));
  bm_mask = torch::ones({T, T}).triu().flip({1});
}

const torch::Tensor& BMNImpl::raw_feature_of(const Batch& batch) const {
  return checked_raw_feature(batch, "BMN", options.feat_dim(), "feat_dim", options.temporal_dim(),
                             "temporal_dim");
}

BMNOutputs BMNImpl::forward(const torch::Tensor& raw_feature) {
  const int64_t T = options.temporal_dim();
  check_feature_shape(raw_feature, "BMN", options.feat_dim(), "feat_dim", T, "temporal_dim");
  torch::Tensor x = raw_feature.to(sample_mask.device(), sample_mask.scalar_type());
  torch::Tensor base = x_1d_b->forward(x);
  BMNOutputs out;
  out.start = x_1d_s->forward(base).squeeze(1);
  out.end = x_1d_e->forward(base).squeeze(1);
  torch::Tensor p = x_1d_p->forward(base);
  // The boundary-matching layer: every (duration, start) pair samples the sequence.
  p = torch::matmul(p, sample_mask).reshape({p.size(0), p.size(1), options.num_samples(), T, T});
  p = x_3d_p->forward(p).squeeze(2);
  out.confidence_map = x_2d_p->forward(p);
  return out;
}

BMNLabels BMNImpl::generate_labels(const std::vector<torch::Tensor>& gt_bbox) const {
  const int64_t T = options.temporal_dim();
  const int64_t N = static_cast<int64_t>(gt_bbox.size());
  const double gap = 1. / double(T);
  const double pad = 3 * (1. / double(T));
  BMNLabels labels{torch::zeros({N, T, T}), torch::zeros({N, T}), torch::zeros({N, T})};
  auto conf = labels.confidence.accessor<float, 3>();
  auto start = labels.start.accessor<float, 2>();
  auto end = labels.end.accessor<float, 2>();
  for (int64_t n = 0; n < N; ++n) {
    torch::Tensor boxes = gt_bbox[n].to(torch::kCPU, torch::kDouble).contiguous();
    if (boxes.dim() != 2 || boxes.size(1) != 2 || boxes.size(0) == 0)
      throw std::invalid_argument("BMN: gt_bbox of video " + std::to_string(n) +
                                  " must be [n >= 1, 2], got " + c10::str(boxes.sizes()));
    auto b = boxes.accessor<double, 2>();
    for (int64_t g = 0; g < boxes.size(0); ++g) {
      const double g0 = b[g][0], g1 = b[g][1];
      for (int64_t i = 0; i < T; ++i) {  // start
        const double tmin = gap * double(i);
        for (int64_t j = 1; j <= T; ++j) {  // duration
          const auto iou = static_cast<float>(temporal_iou(tmin, tmin + gap * double(j), g0, g1));
          conf[n][j - 1][i] = g == 0 ? iou : std::max(conf[n][j - 1][i], iou);
        }
      }
    }
    for (int64_t i = 0; i < T; ++i) {
      const double amin = gap * (double(i) - 0.5), amax = gap * (double(i) + 1.5);
      double best_start = -INFINITY, best_end = -INFINITY;
      for (int64_t g = 0; g < boxes.size(0); ++g) {
        best_start =
            std::max(best_start, temporal_iop(amin, amax, b[g][0] - pad / 2, b[g][0] + pad / 2));
        best_end =
            std::max(best_end, temporal_iop(amin, amax, b[g][1] - pad / 2, b[g][1] + pad / 2));
      }
      start[n][i] = static_cast<float>(best_start);
      end[n][i] = static_cast<float>(best_end);
    }
  }
  return labels;
}

NamedTensors BMNImpl::forward_train(const torch::Tensor& raw_feature,
                                    const std::vector<torch::Tensor>& gt_bbox) {
  if (static_cast<int64_t>(gt_bbox.size()) != raw_feature.size(0))
    throw std::invalid_argument("BMN: " + std::to_string(gt_bbox.size()) +
                                " gt_bbox for a batch of " + std::to_string(raw_feature.size(0)) +
                                " videos");
  BMNOutputs out = forward(raw_feature);
  BMNLabels labels = generate_labels(gt_bbox);
  const torch::Device device = out.start.device();
  BMNLossParts loss =
      loss_cls->forward(out.confidence_map, out.start, out.end, labels.confidence.to(device),
                        labels.start.to(device), labels.end.to(device), bm_mask.to(device));
  return {{"loss", loss.loss}};
}

StepOutputs BMNImpl::train_step(const Batch& batch) {
  const torch::Tensor& raw_feature = raw_feature_of(batch);
  return parse_losses(forward_train(raw_feature, per_video(batch, "gt_bbox")), raw_feature.size(0));
}

StepOutputs BMNImpl::val_step(const Batch& batch) {
  return train_step(batch);
}

List BMNImpl::proposals(const BMNOutputs& outputs, int64_t n, const Dict& meta) const {
  const int64_t T = options.temporal_dim();
  torch::Tensor start_t = outputs.start[n].to(torch::kCPU, torch::kFloat).contiguous();
  torch::Tensor end_t = outputs.end[n].to(torch::kCPU, torch::kFloat).contiguous();
  torch::Tensor map = outputs.confidence_map[n].to(torch::kCPU, torch::kFloat).contiguous();
  auto start = start_t.accessor<float, 1>();
  auto end = end_t.accessor<float, 1>();
  torch::Tensor reg_t = map[0], cls_t = map[1];
  auto reg = reg_t.accessor<float, 2>();
  auto cls = cls_t.accessor<float, 2>();
  // Candidate boundaries: local peaks and scores above half the maximum, plus both ends.
  auto bins = [T](const auto& scores, int64_t always) {
    float top = scores[0];
    for (int64_t i = 1; i < T; ++i) top = std::max(top, scores[i]);
    std::vector<bool> on(static_cast<size_t>(T), false);
    on[always] = true;
    for (int64_t i = 1; i < T - 1; ++i)
      if ((scores[i] > scores[i + 1] && scores[i] > scores[i - 1]) ||
          double(scores[i]) > 0.5 * double(top))
        on[i] = true;
    return on;
  };
  const std::vector<bool> start_bins = bins(start, 0), end_bins = bins(end, T - 1);
  std::vector<ScoredSegment<double>> candidates;
  for (int64_t d = 0; d < T; ++d) {
    for (int64_t s = 0; s + d + 1 < T; ++s) {
      const int64_t e = s + d + 1;
      if (!start_bins[s] || !end_bins[e]) continue;
      // NumPy multiplies the float32 scores in float32.
      const float score = start[s] * end[e] * cls[d][s] * reg[d][s];
      candidates.push_back({double(s) / double(T), double(e) / double(T), double(score)});
    }
  }
  return post_process_proposals(std::move(candidates), meta, options.post_process());
}

List BMNImpl::test_records(const Batch& batch) {
  BMNOutputs out = forward(raw_feature_of(batch));
  List records;
  for (int64_t n = 0; n < out.start.size(0); ++n) {
    Dict record;
    record.set("video_name", video_name(batch, static_cast<size_t>(n)));
    record.set("proposal_list",
               Value::list(proposals(out, n, video_meta(batch, static_cast<size_t>(n)))));
    records.push_back(Value(std::move(record)));
  }
  return records;
}

namespace {

std::shared_ptr<Localizer> build_bmn(Args& args) {
  BMNOptions o;
  o.temporal_dim(args.required<int64_t>("temporal_dim"));
  o.boundary_ratio(args.required<double>("boundary_ratio"));
  o.num_samples(args.required<int64_t>("num_samples"));
  o.num_samples_per_bin(args.required<int64_t>("num_samples_per_bin"));
  o.feat_dim(args.required<int64_t>("feat_dim"));
  o.post_process(read_post_process_options(args));
  Dict loss_default;
  loss_default.set("type", Value("BMNLoss"));
  Value loss_cfg = args.get("loss_cls", Value(loss_default));
  o.hidden_dim_1d(args.get<int64_t>("hidden_dim_1d", 256));
  o.hidden_dim_2d(args.get<int64_t>("hidden_dim_2d", 128));
  o.hidden_dim_3d(args.get<int64_t>("hidden_dim_3d", 512));
  if (o.temporal_dim() < 2) throw args.error("temporal_dim", "temporal_dim must be at least 2");
  if (o.num_samples() < 1) throw args.error("num_samples", "num_samples must be positive");
  if (o.num_samples_per_bin() < 1)
    throw args.error("num_samples_per_bin", "num_samples_per_bin must be positive");
  if (o.feat_dim() % 4 != 0)
    throw args.error("feat_dim", "feat_dim must be a multiple of 4 (BMN's convs have 4 groups)");
  if (o.hidden_dim_1d() % 4 != 0)
    throw args.error("hidden_dim_1d",
                     "hidden_dim_1d must be a multiple of 4 (BMN's convs have 4 groups)");
  auto loss =
      std::dynamic_pointer_cast<BMNLossImpl>(LOSSES().build(loss_cfg, {args.path() + ".loss_cls"}));
  if (!loss) throw args.error("loss_cls", "BMN's loss_cls must be a BMNLoss");
  return std::make_shared<BMNImpl>(o, loss);
}

}  // namespace

TUBELET_REGISTER(LOCALIZERS, BMN, build_bmn);

}  // namespace tubelet
