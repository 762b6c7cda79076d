#include "tubelet/models/localizers/tem.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "tubelet/localization/temporal_overlap.h"
#include "tubelet/models/localizers/base_localizer.h"
#include "tubelet/models/registries.h"

namespace tubelet {

TEMImpl::TEMImpl(TEMOptions options_, std::shared_ptr<BinaryLogisticRegressionLossImpl> loss)
    : options(std::move(options_)), loss_cls(std::move(loss)) {
  using torch::nn::Conv1dOptions;
  const int64_t hidden = options.tem_hidden_dim();
  register_module("loss_cls", loss_cls);
  conv1 = register_module(
      "conv1", torch::nn::Conv1d(Conv1dOptions(options.tem_feat_dim(), hidden, 3).padding(1)));
  conv2 = register_module("conv2", torch::nn::Conv1d(Conv1dOptions(hidden, hidden, 3).padding(1)));
  conv3 =
      register_module("conv3", torch::nn::Conv1d(Conv1dOptions(hidden, options.output_dim(), 1)));
}

const torch::Tensor& TEMImpl::raw_feature_of(const Batch& batch) const {
  return checked_raw_feature(batch, "TEM", options.tem_feat_dim(), "tem_feat_dim",
                             options.temporal_dim(), "temporal_dim");
}

torch::Tensor TEMImpl::forward(const torch::Tensor& raw_feature) {
  check_feature_shape(raw_feature, "TEM", options.tem_feat_dim(), "tem_feat_dim",
                      options.temporal_dim(), "temporal_dim");
  torch::Tensor x = raw_feature.to(conv1->weight.device(), conv1->weight.scalar_type());
  x = torch::relu(options.conv1_ratio() * conv1->forward(x));
  x = torch::relu(options.conv2_ratio() * conv2->forward(x));
  return torch::sigmoid(options.conv3_ratio() * conv3->forward(x));
}

TEMLabels TEMImpl::generate_labels(const std::vector<torch::Tensor>& gt_bbox) const {
  const int64_t T = options.temporal_dim();
  const int64_t N = static_cast<int64_t>(gt_bbox.size());
  const double gap = 1. / double(T);
  TEMLabels labels{torch::zeros({N, T}), torch::zeros({N, T}), torch::zeros({N, T})};
  auto action = labels.action.accessor<float, 2>();
  auto start = labels.start.accessor<float, 2>();
  auto end = labels.end.accessor<float, 2>();
  for (int64_t n = 0; n < N; ++n) {
    torch::Tensor boxes = gt_bbox[n].to(torch::kCPU, torch::kDouble).contiguous();
    if (boxes.dim() != 2 || boxes.size(1) != 2 || boxes.size(0) == 0)
      throw std::invalid_argument("TEM: gt_bbox of video " + std::to_string(n) +
                                  " must be [n >= 1, 2], got " + c10::str(boxes.sizes()));
    auto b = boxes.accessor<double, 2>();
    for (int64_t i = 0; i < T; ++i) {
      const double amin = gap * (double(i) + 0.), amax = gap * (double(i) + 1.);
      double best_action = -INFINITY, best_start = -INFINITY, best_end = -INFINITY;
      for (int64_t g = 0; g < boxes.size(0); ++g) {
        const double tmin = b[g][0], tmax = b[g][1];
        const double pad = std::max(1. / double(T), options.boundary_ratio() * (tmax - tmin));
        best_action = std::max(best_action, temporal_iop(amin, amax, tmin, tmax));
        best_start = std::max(best_start, temporal_iop(amin, amax, tmin - pad / 2, tmin + pad / 2));
        best_end = std::max(best_end, temporal_iop(amin, amax, tmax - pad / 2, tmax + pad / 2));
      }
      action[n][i] = static_cast<float>(best_action);
      start[n][i] = static_cast<float>(best_start);
      end[n][i] = static_cast<float>(best_end);
    }
  }
  return labels;
}

NamedTensors TEMImpl::forward_train(const torch::Tensor& raw_feature,
                                    const std::vector<torch::Tensor>& gt_bbox) {
  if (static_cast<int64_t>(gt_bbox.size()) != raw_feature.size(0))
    throw std::invalid_argument("TEM: " + std::to_string(gt_bbox.size()) +
                                " gt_bbox for a batch of " + std::to_string(raw_feature.size(0)) +
                                " videos");
  torch::Tensor out = forward(raw_feature);
  TEMLabels labels = generate_labels(gt_bbox);
  BinaryLogisticRegressionOptions threshold;
  threshold.threshold(options.tem_match_threshold());
  auto loss = [&](int64_t channel, const torch::Tensor& label) {
    return loss_cls->forward(out.select(1, channel), label.to(out.device()), threshold);
  };
  return {{"loss_action", loss(0, labels.action) * options.loss_weight()},
          {"loss_start", loss(1, labels.start)},
          {"loss_end", loss(2, labels.end)}};
}

StepOutputs TEMImpl::train_step(const Batch& batch) {
  const torch::Tensor& raw_feature = raw_feature_of(batch);
  return parse_losses(forward_train(raw_feature, per_video(batch, "gt_bbox")), raw_feature.size(0));
}

StepOutputs TEMImpl::val_step(const Batch& batch) {
  return train_step(batch);
}

List TEMImpl::test_records(const Batch& batch) {
  torch::Tensor out = forward(raw_feature_of(batch)).to(torch::kCPU, torch::kFloat).contiguous();
  TORCH_CHECK(out.size(1) >= 3, "TEM's test output needs action, start and end (output_dim ",
              out.size(1), ")");
  auto o = out.accessor<float, 3>();
  const int64_t T = out.size(2);
  const double gap = 1. / double(options.temporal_dim());
  List records;
  for (int64_t n = 0; n < out.size(0); ++n) {
    List rows;
    for (int64_t t = 0; t < T; ++t)
      rows.push_back(Value::list({Value(double(o[n][0][t])), Value(double(o[n][1][t])),
                                  Value(double(o[n][2][t])), Value(gap * (double(t) + 0.)),
                                  Value(gap * (double(t) + 1.))}));
    Dict record;
    record.set("video_name", video_name(batch, static_cast<size_t>(n)));
    record.set("tem_output", Value::list(std::move(rows)));
    records.push_back(Value(std::move(record)));
  }
  return records;
}

namespace {

std::shared_ptr<Localizer> build_tem(Args& args) {
  TEMOptions o;
  o.temporal_dim(args.required<int64_t>("temporal_dim"));
  o.boundary_ratio(args.required<double>("boundary_ratio"));
  o.tem_feat_dim(args.required<int64_t>("tem_feat_dim"));
  o.tem_hidden_dim(args.required<int64_t>("tem_hidden_dim"));
  o.tem_match_threshold(args.required<double>("tem_match_threshold"));
  Dict loss_default;
  loss_default.set("type", Value("BinaryLogisticRegressionLoss"));
  Value loss_cfg = args.get("loss_cls", Value(loss_default));
  o.loss_weight(args.get<double>("loss_weight", 2));
  o.output_dim(args.get<int64_t>("output_dim", 3));
  o.conv1_ratio(args.get<double>("conv1_ratio", 1));
  o.conv2_ratio(args.get<double>("conv2_ratio", 1));
  o.conv3_ratio(args.get<double>("conv3_ratio", 0.01));
  if (o.temporal_dim() < 1) throw args.error("temporal_dim", "temporal_dim must be positive");
  if (o.output_dim() < 3)
    throw args.error("output_dim", "output_dim must be at least 3 (action, start, end)");
  auto loss = std::dynamic_pointer_cast<BinaryLogisticRegressionLossImpl>(
      LOSSES().build(loss_cfg, {args.path() + ".loss_cls"}));
  if (!loss) throw args.error("loss_cls", "TEM's loss_cls must be a BinaryLogisticRegressionLoss");
  return std::make_shared<TEMImpl>(o, loss);
}

}  // namespace

TUBELET_REGISTER(LOCALIZERS, TEM, build_tem);

}  // namespace tubelet
