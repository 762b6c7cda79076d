#include "tubelet/models/recognizers/base_recognizer.h"

#include <tuple>

#include "tubelet/models/registries.h"

namespace tubelet {

BaseRecognizerImpl::BaseRecognizerImpl(std::shared_ptr<Backbone> backbone_,
                                       std::shared_ptr<Head> cls_head_, RecognizerTestCfg test_cfg_,
                                       std::shared_ptr<Neck> neck_)
    : backbone(std::move(backbone_)),
      neck(std::move(neck_)),
      cls_head(std::move(cls_head_)),
      test_cfg(std::move(test_cfg_)) {
  // MMAction2's order, which is the state_dict's: backbone, neck, cls_head.
  register_module("backbone", backbone);
  if (neck) register_module("neck", neck);
  if (cls_head) register_module("cls_head", cls_head);
}

torch::Tensor BaseRecognizerImpl::extract_feat(const torch::Tensor& x) {
  return extract_feats(x).back();
}

std::vector<torch::Tensor> BaseRecognizerImpl::extract_feats(const torch::Tensor& x) {
  std::vector<torch::Tensor> feats = backbone->forward_features(x);
  TORCH_CHECK(!feats.empty(), "the backbone returned no feature map");
  return feats;
}

LossDict BaseRecognizerImpl::forward_train(const torch::Tensor& imgs, const torch::Tensor& labels) {
  TORCH_CHECK(cls_head, "training needs a cls_head");
  torch::Tensor target = labels.squeeze();
  HeadInput in = head_input(imgs, target);
  LossDict losses = std::move(in.losses);
  for (auto& item : cls_head->loss(cls_head->forward_scores_from(in.feats, in.num_segs), target))
    losses.push_back(std::move(item));
  return losses;
}

StepOutputs BaseRecognizerImpl::train_step(const Batch& batch) {
  torch::Tensor imgs = batch.at("imgs"), label = batch.at("label");
  if (blending) std::tie(imgs, label) = (*blending)(imgs, label);
  return parse_losses(forward_train(imgs, label), batch.size());
}

StepOutputs BaseRecognizerImpl::val_step(const Batch& batch) {
  return train_step(batch);
}

torch::Tensor BaseRecognizerImpl::test_step(const Batch& batch) {
  return forward_test(batch.at("imgs"));
}

torch::Tensor BaseRecognizerImpl::average_clip(const torch::Tensor& cls_score,
                                               int64_t num_segs) const {
  if (!test_cfg.average_clips) return cls_score;
  torch::Tensor s = cls_score.view({cls_score.size(0) / num_segs, num_segs, -1});
  if (*test_cfg.average_clips == "prob") return torch::softmax(s, 2).mean(1);
  return s.mean(1);
}

namespace {

RecognizerTestCfg read_test_cfg(Args& args) {
  RecognizerTestCfg cfg;
  const Value* v = args.find("test_cfg");
  if (!v || v->is_none()) return cfg;
  Args t(*v, "test_cfg", args.path() + ".test_cfg");
  cfg.average_clips = t.get<std::optional<std::string>>("average_clips", std::nullopt);
  if (cfg.average_clips && *cfg.average_clips != "score" && *cfg.average_clips != "prob")
    throw t.error("average_clips", "average_clips must be 'score', 'prob' or None");
  cfg.feature_extraction = t.get("feature_extraction", false);
  t.get<std::optional<int64_t>>("max_testing_views", std::nullopt);  // one pass holds all views
  cfg.fcn_test = t.get("fcn_test", false);
  cfg.num_segs = t.get<std::optional<int64_t>>("num_segs", std::nullopt);
  cfg.flip = t.get("flip", false);
  if (cfg.fcn_test && cfg.feature_extraction)
    throw t.error("fcn_test", "fcn_test and feature_extraction cannot be used together");
  t.finish();
  return cfg;
}

// train_cfg: MMAction2 reads `blending` and `aux_info` from it; Tubelet has no aux_info
// (no model of ours takes extra inputs), so that and any other key is an error.
std::shared_ptr<BaseMiniBatchBlending> read_blending(Args& args) {
  const Value* v = args.find("train_cfg");
  if (!v || v->is_none()) return nullptr;
  Args t(*v, "train_cfg", args.path() + ".train_cfg");
  std::shared_ptr<BaseMiniBatchBlending> blending;
  if (const Value* b = t.find("blending"); b && !b->is_none()) {
    const std::string path = t.path() + ".blending";
    // The registry's own message gives the file position; say which config key it is too.
    if (b->is_dict() && b->as_dict().contains("type") && b->as_dict().at("type").is_str() &&
        !BLENDINGS().contains(b->as_dict().at("type").as_str()))
      throw ConfigError(
          path + ": " + BLENDINGS().unknown_type_message(b->as_dict().at("type").as_str()),
          b->location());
    blending = BLENDINGS().build(*b, {path});
  }
  t.finish();
  return blending;
}

}  // namespace

RecognizerParts read_recognizer_parts(Args& args) {
  RecognizerParts parts;
  parts.backbone = BACKBONES().build(args.required<Value>("backbone"), {args.path() + ".backbone"});
  if (const Value* neck = args.find("neck"); neck && !neck->is_none())
    parts.neck = NECKS().build(*neck, {args.path() + ".neck"});
  if (const Value* h = args.find("cls_head"); h && !h->is_none())
    parts.cls_head = HEADS().build(*h, {args.path() + ".cls_head"});
  parts.blending = read_blending(args);
  parts.test_cfg = read_test_cfg(args);
  return parts;
}

}  // namespace tubelet
