#include "tubelet/models/localizers/pem.h"

#include <torch/torch.h>

#include "tubelet/models/localizers/base_localizer.h"
#include "tubelet/models/registries.h"

namespace tubelet {

PEMImpl::PEMImpl(PEMOptions options_) : options(std::move(options_)) {
  using torch::nn::LinearOptions;
  fc1 = register_module(
      "fc1", torch::nn::Linear(LinearOptions(options.pem_feat_dim(), options.pem_hidden_dim())));
  fc2 = register_module(
      "fc2", torch::nn::Linear(LinearOptions(options.pem_hidden_dim(), options.output_dim())));
}

torch::Tensor PEMImpl::forward(const std::vector<torch::Tensor>& bsp_feature) {
  if (bsp_feature.empty()) throw std::invalid_argument("PEM: no bsp_feature");
  std::vector<torch::Tensor> parts;
  for (size_t i = 0; i < bsp_feature.size(); ++i) {
    const torch::Tensor& f = bsp_feature[i];
    if (f.dim() != 2 || f.size(1) != options.pem_feat_dim())
      throw std::invalid_argument(
          "PEM: bsp_feature of video " + std::to_string(i) +
          " must be [num_proposals, pem_feat_dim = " + std::to_string(options.pem_feat_dim()) +
          "], got " + c10::str(f.sizes()));
    parts.push_back(f.to(fc1->weight.device(), fc1->weight.scalar_type()));
  }
  torch::Tensor x = torch::cat(parts);
  x = torch::relu(options.fc1_ratio() * fc1->forward(x));
  return torch::sigmoid(options.fc2_ratio() * fc2->forward(x));
}

NamedTensors PEMImpl::forward_train(const std::vector<torch::Tensor>& bsp_feature,
                                    const std::vector<torch::Tensor>& reference_temporal_iou) {
  torch::Tensor pem_output = forward(bsp_feature);
  const torch::Device device = pem_output.device();
  std::vector<torch::Tensor> ious;
  for (const torch::Tensor& t : reference_temporal_iou) ious.push_back(t.reshape({-1}));
  if (ious.empty()) throw std::invalid_argument("PEM: no reference_temporal_iou");
  torch::Tensor reference = torch::cat(ious).to(device, torch::kFloat);
  torch::Tensor anchors = pem_output.view({-1});
  if (reference.numel() != anchors.numel())
    throw std::invalid_argument("PEM: " + std::to_string(anchors.numel()) +
                                " proposal scores but " + std::to_string(reference.numel()) +
                                " reference_temporal_iou values");
  const double high = options.pem_high_temporal_iou_threshold();
  const double low = options.pem_low_temporal_iou_threshold();
  torch::Tensor u_hmask = (reference > high).to(torch::kFloat);
  torch::Tensor u_mmask = ((reference <= high) & (reference > low)).to(torch::kFloat);
  torch::Tensor u_lmask = (reference <= low).to(torch::kFloat);
  torch::Tensor num_h = u_hmask.sum();
  torch::Tensor one = torch::ones({1}, u_hmask.options());
  // Each class is kept with probability min(ratio * num_h / num_class, 1).
  auto subsample = [&](const torch::Tensor& mask, double ratio) {
    torch::Tensor rate = torch::min(ratio * num_h / mask.sum(), one)[0];
    torch::Tensor draw = torch::rand({u_hmask.size(0)}, u_hmask.options()) * mask;
    return (draw > (1. - rate)).to(torch::kFloat);
  };
  torch::Tensor u_smmask = subsample(u_mmask, options.pem_u_ratio_m());
  torch::Tensor u_slmask = subsample(u_lmask, options.pem_u_ratio_l());
  torch::Tensor weights = u_hmask + u_smmask + u_slmask;
  // MMAction2 averages the smooth L1 first, so the weights only cancel out.
  torch::Tensor loss = torch::smooth_l1_loss(anchors, reference);
  loss = torch::sum(loss * weights) / torch::sum(weights);
  return {{"temporal_iou_loss", loss}};
}

StepOutputs PEMImpl::train_step(const Batch& batch) {
  std::vector<torch::Tensor> features = per_video(batch, "bsp_feature");
  const auto videos = static_cast<int64_t>(features.size());
  return parse_losses(forward_train(features, per_video(batch, "reference_temporal_iou")), videos);
}

StepOutputs PEMImpl::val_step(const Batch& batch) {
  return train_step(batch);
}

List PEMImpl::test_records(const Batch& batch) {
  std::vector<torch::Tensor> features = per_video(batch, "bsp_feature");
  std::vector<std::vector<torch::Tensor>> columns;
  for (const char* name : {"tmin", "tmax", "tmin_score", "tmax_score"})
    columns.push_back(per_video(batch, name));
  List records;
  for (size_t n = 0; n < features.size(); ++n) {
    // LoadProposals reads float32; NumPy keeps the products and soft-NMS in float32.
    torch::Tensor score = forward({features[n]}).view({-1}).to(torch::kCPU, torch::kFloat);
    std::vector<torch::Tensor> cols;
    for (const auto& column : columns)
      cols.push_back(column.at(n).reshape({-1}).to(torch::kCPU, torch::kFloat).contiguous());
    const int64_t count = score.numel();
    for (size_t c = 0; c < cols.size(); ++c)
      if (cols[c].numel() != count)
        throw std::invalid_argument("PEM: video " + std::to_string(n) + " has " +
                                    std::to_string(count) + " proposals but " +
                                    std::to_string(cols[c].numel()) + " tmin/tmax/score values");
    auto s = score.accessor<float, 1>();
    auto tmin = cols[0].accessor<float, 1>(), tmax = cols[1].accessor<float, 1>();
    auto tmin_score = cols[2].accessor<float, 1>(), tmax_score = cols[3].accessor<float, 1>();
    std::vector<ScoredSegment<float>> proposals;
    for (int64_t i = 0; i < count; ++i)
      proposals.push_back({tmin[i], tmax[i], s[i] * tmin_score[i] * tmax_score[i]});
    Dict record;
    record.set("video_name", video_name(batch, n));
    record.set("proposal_list",
               Value::list(post_process_proposals(std::move(proposals), video_meta(batch, n),
                                                  options.post_process())));
    records.push_back(Value(std::move(record)));
  }
  return records;
}

namespace {

std::shared_ptr<Localizer> build_pem(Args& args) {
  PEMOptions o;
  o.pem_feat_dim(args.required<int64_t>("pem_feat_dim"));
  o.pem_hidden_dim(args.required<int64_t>("pem_hidden_dim"));
  o.pem_u_ratio_m(args.required<double>("pem_u_ratio_m"));
  o.pem_u_ratio_l(args.required<double>("pem_u_ratio_l"));
  o.pem_high_temporal_iou_threshold(args.required<double>("pem_high_temporal_iou_threshold"));
  o.pem_low_temporal_iou_threshold(args.required<double>("pem_low_temporal_iou_threshold"));
  o.post_process(read_post_process_options(args));
  o.fc1_ratio(args.get<double>("fc1_ratio", 0.1));
  o.fc2_ratio(args.get<double>("fc2_ratio", 0.1));
  o.output_dim(args.get<int64_t>("output_dim", 1));
  return std::make_shared<PEMImpl>(o);
}

}  // namespace

TUBELET_REGISTER(LOCALIZERS, PEM, build_pem);

}  // namespace tubelet
