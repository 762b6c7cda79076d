#include "tubelet/models/detectors/fast_rcnn.h"

#include <torch/torch.h>

#include <stdexcept>

#include "tubelet/config/error.h"
#include "tubelet/models/registries.h"

namespace tubelet {

FastRCNNImpl::FastRCNNImpl(std::shared_ptr<Backbone> backbone_, AVARoIHead roi_head_) {
  backbone = register_module("backbone", std::move(backbone_));
  roi_head = register_module("roi_head", std::move(roi_head_));
}

std::vector<torch::Tensor> FastRCNNImpl::extract_feat(const torch::Tensor& img) {
  if (!img.defined() || img.dim() != 5)
    throw std::invalid_argument("FastRCNN: img must be [N, C, T, H, W], got " +
                                (img.defined() ? c10::str(img.sizes()) : "undefined"));
  return backbone->forward_features(img);
}

NamedTensors FastRCNNImpl::forward_train(const torch::Tensor& img,
                                         const std::vector<torch::Tensor>& proposals,
                                         const std::vector<torch::Tensor>& gt_bboxes,
                                         const std::vector<torch::Tensor>& gt_labels) {
  return roi_head->forward_train(extract_feat(img), proposals, gt_bboxes, gt_labels);
}

std::vector<torch::Tensor> FastRCNNImpl::simple_test(const torch::Tensor& img,
                                                     const torch::Tensor& proposals,
                                                     const AVAImageMeta& meta) {
  return roi_head->simple_test(extract_feat(img), {proposals}, meta);
}

namespace {
const std::vector<torch::Tensor>& fast_rcnn_list(const Batch& batch, const std::string& name) {
  const std::vector<torch::Tensor>* list = batch.list(name);
  if (!list)
    throw std::invalid_argument("FastRCNN: the batch has no per-sample '" + name +
                                "' (collect it with ToDataContainer stack=False)");
  return *list;
}

torch::Tensor fast_rcnn_img(const Batch& batch, const torch::nn::Module& model) {
  torch::Tensor img = batch.at("img");
  for (const auto& p : model.parameters()) return img.to(p.device(), p.scalar_type());
  return img;
}
}  // namespace

StepOutputs FastRCNNImpl::train_step(const Batch& batch) {
  torch::Tensor img = fast_rcnn_img(batch, *this);
  const auto& proposals = fast_rcnn_list(batch, "proposals");
  const auto& gt_bboxes = fast_rcnn_list(batch, "gt_bboxes");
  const auto& gt_labels = fast_rcnn_list(batch, "gt_labels");
  return parse_losses(forward_train(img, proposals, gt_bboxes, gt_labels), img.size(0));
}

StepOutputs FastRCNNImpl::val_step(const Batch& batch) {
  return train_step(batch);
}

List FastRCNNImpl::test_records(const Batch& batch) {
  torch::Tensor img = fast_rcnn_img(batch, *this);
  const std::vector<torch::Tensor>& proposals = fast_rcnn_list(batch, "proposals");
  if (int64_t(proposals.size()) != img.size(0) || batch.metas.size() != proposals.size())
    throw std::invalid_argument("FastRCNN: " + std::to_string(proposals.size()) +
                                " proposal lists and " + std::to_string(batch.metas.size()) +
                                " image metas for a batch of " + std::to_string(img.size(0)));
  List records;
  // MMAction2 tests one image per batch; each image here is tested on its own, as there.
  for (int64_t i = 0; i < img.size(0); ++i) {
    std::vector<torch::Tensor> per_class =
        simple_test(img.slice(0, i, i + 1), proposals[size_t(i)],
                    AVAImageMeta::from_meta(batch.metas[size_t(i)]));
    List classes;
    for (const torch::Tensor& rows_t : per_class) {
      torch::Tensor t = rows_t.to(torch::kCPU, torch::kFloat).contiguous();
      auto a = t.accessor<float, 2>();
      List rows;
      for (int64_t r = 0; r < t.size(0); ++r) {
        List row;
        for (int64_t c = 0; c < t.size(1); ++c) row.push_back(Value(double(a[r][c])));
        rows.push_back(Value::list(std::move(row)));
      }
      classes.push_back(Value::list(std::move(rows)));
    }
    records.push_back(Value::list(std::move(classes)));
  }
  return records;
}

namespace {

// train_cfg.rcnn / test_cfg.rcnn (TwoStageDetector hands these to its roi_head).
Value fast_rcnn_rcnn_part(Args& args, const char* key) {
  const Value* cfg = args.find(key);
  if (!cfg || cfg->is_none()) return Value();
  if (!cfg->is_dict()) throw args.error(key, std::string(key) + " must be a dict or None");
  Args part(*cfg, "FastRCNN", args.path() + "." + key);
  Value rcnn = part.get<Value>("rcnn", Value());
  part.finish();
  return rcnn;
}

std::shared_ptr<Detector> build_fast_rcnn(Args& args) {
  auto backbone = BACKBONES().build(args.required<Value>("backbone"), {args.path() + ".backbone"});
  Value roi_cfg = args.required<Value>("roi_head");
  if (!roi_cfg.is_dict()) throw args.error("roi_head", "roi_head must be a dict");
  Value train = fast_rcnn_rcnn_part(args, "train_cfg");
  Value test = fast_rcnn_rcnn_part(args, "test_cfg");
  roi_cfg.mutable_dict().set("train_cfg", train);
  roi_cfg.mutable_dict().set("test_cfg", test);
  for (const char* key : {"neck", "pretrained", "init_cfg"})
    if (const Value* v = args.find(key); v && !v->is_none())
      throw args.error(
          key, std::string("FastRCNN here does not support ") + key +
                   (std::string(key) == "pretrained" ? " (give the backbone its pretrained instead)"
                                                     : ""));
  auto roi_head = AVARoIHeadImpl::from_config(roi_cfg, args.path() + ".roi_head");
  return std::make_shared<FastRCNNImpl>(backbone, AVARoIHead(roi_head));
}

}  // namespace

TUBELET_REGISTER(DETECTORS, FastRCNN, build_fast_rcnn);

}  // namespace tubelet
