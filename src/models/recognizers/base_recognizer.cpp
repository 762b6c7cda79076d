#include "tubelet/models/recognizers/base_recognizer.h"

#include "tubelet/models/module_hook.h"

#include <algorithm>
#include <numeric>
#include <tuple>
#include <typeinfo>

#include "tubelet/models/backbones/c3d.h"
#include "tubelet/models/backbones/mobilenet_v2.h"
#include "tubelet/models/backbones/mobilenet_v2_tsm.h"
#include "tubelet/models/backbones/resnet.h"
#include "tubelet/models/backbones/resnet3d.h"
#include "tubelet/models/backbones/resnet3d_slowfast.h"
#include "tubelet/models/backbones/resnet_audio.h"
#include "tubelet/models/backbones/resnet_tin.h"
#include "tubelet/models/backbones/resnet_tsm.h"
#include "tubelet/models/backbones/tanet.h"
#include "tubelet/models/backbones/timesformer.h"
#include "tubelet/models/backbones/x3d.h"
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

int64_t backbone_view_group(const Backbone& b) {
  // Exact types: a subclass (a plugin's, say) may mix inputs where its base does not.
  if (typeid(b) == typeid(ResNetImpl) || typeid(b) == typeid(MobileNetV2Impl)) return 1;
  // Temporal shift, interlace and attention move features between the segments of a clip:
  // [N * num_segments, C, H, W] is split only between clips.
  if (const auto* tin = dynamic_cast<const ResNetTINImpl*>(&b))
    return std::lcm(tin->tsm_options.num_segments(), tin->tin_options.num_segments());
  if (typeid(b) == typeid(ResNetTSMImpl))
    return dynamic_cast<const ResNetTSMImpl&>(b).tsm_options.num_segments();
  if (typeid(b) == typeid(MobileNetV2TSMImpl))
    return dynamic_cast<const MobileNetV2TSMImpl&>(b).tsm_options.num_segments();
  if (typeid(b) == typeid(TANetImpl)) return dynamic_cast<const TANetImpl&>(b).num_segments;
  // 3D backbones (and the audio one) take one clip per input.
  if (dynamic_cast<const ResNet3dImpl*>(&b) || typeid(b) == typeid(ResNet3dSlowFastImpl) ||
      typeid(b) == typeid(X3DImpl) || typeid(b) == typeid(C3DImpl) ||
      typeid(b) == typeid(TimeSformerImpl) || typeid(b) == typeid(ResNetAudioImpl))
    return 1;
  return 0;
}

int64_t BaseRecognizerImpl::test_views_per_pass() const {
  if (test_cfg.max_testing_views) return *test_cfg.max_testing_views;
  return view_chunk.value_or(0);
}

namespace {

// The views of `x` in passes of at most `chunk` (a multiple of `group`), each level's maps
// concatenated again. Only the backbone is chunked: a neck or head sees all views at once, as
// in one pass, so its result is the same whatever mixes views there (Recognizer2D's neck
// folds every view of a video into one temporal axis).
std::vector<torch::Tensor> chunked_features(Backbone& backbone, const torch::Tensor& x,
                                            int64_t chunk, int64_t group) {
  chunk = chunk / group * group;
  std::vector<std::vector<torch::Tensor>> levels;
  for (int64_t start = 0; start < x.size(0); start += chunk) {
    std::vector<torch::Tensor> feats =
        backbone.forward_features(x.slice(0, start, std::min(start + chunk, x.size(0))));
    TORCH_CHECK(!feats.empty(), "the backbone returned no feature map");
    if (levels.empty()) levels.resize(feats.size());
    TORCH_CHECK(feats.size() == levels.size(), "the backbone returned ", feats.size(),
                " feature maps for one chunk of views and ", levels.size(), " for another");
    for (size_t i = 0; i < feats.size(); ++i) levels[i].push_back(std::move(feats[i]));
  }
  std::vector<torch::Tensor> out;
  for (auto& level : levels) out.push_back(level.size() == 1 ? level[0] : torch::cat(level));
  return out;
}

}  // namespace

std::vector<torch::Tensor> BaseRecognizerImpl::extract_feats(const torch::Tensor& input) {
  torch::Tensor x = input;
  for (const auto& hook : backbone_pre_hooks) x = hook->forward_pre(x);
  // Chunks only at test time: training's batch norms compute statistics over the batch.
  const int64_t chunk = is_training() ? 0 : test_views_per_pass();
  const int64_t group = chunk > 0 && x.dim() > 0 ? backbone_view_group(*backbone) : 0;
  if (group > 0 && chunk >= group && x.size(0) > chunk && x.size(0) % group == 0)
    return chunked_features(*backbone, x, chunk, group);
  std::vector<torch::Tensor> feats = backbone->forward_features(x);
  TORCH_CHECK(!feats.empty(), "the backbone returned no feature map");
  return feats;
}

LossDict BaseRecognizerImpl::forward_train(const torch::Tensor& imgs, const torch::Tensor& labels,
                                           const LossDict& aux) {
  TORCH_CHECK(cls_head, "training needs a cls_head");
  torch::Tensor target = labels.squeeze();
  HeadInput in = head_input(imgs, target);
  LossDict losses = std::move(in.losses);
  for (auto& item :
       cls_head->loss(cls_head->forward_scores_from(in.feats, in.num_segs), target, aux))
    losses.push_back(std::move(item));
  return losses;
}

StepOutputs BaseRecognizerImpl::train_step(const Batch& batch) {
  torch::Tensor imgs = batch.at("imgs"), label = batch.at("label");
  if (blending) std::tie(imgs, label) = (*blending)(imgs, label);
  LossDict aux;
  for (const std::string& name : aux_info) {
    if (!batch.has(name))
      throw std::invalid_argument("train_cfg.aux_info names '" + name +
                                  "', which the batch does not have (Collect it in the pipeline)");
    aux.emplace_back(name, batch.at(name));
  }
  return parse_losses(forward_train(imgs, label, aux), batch.size());
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
  // MMAction2's Recognizer3D honours it (Recognizer2D ignores it and runs all views at once);
  // here both do, and for any batch size (MMAction2 asserts one video per batch): the
  // chunks give each view the features of one pass.
  cfg.max_testing_views = t.get<std::optional<int64_t>>("max_testing_views", std::nullopt);
  if (cfg.max_testing_views && *cfg.max_testing_views < 1)
    throw t.error("max_testing_views", "max_testing_views must be a positive int");
  cfg.fcn_test = t.get("fcn_test", false);
  cfg.num_segs = t.get<std::optional<int64_t>>("num_segs", std::nullopt);
  cfg.flip = t.get("flip", false);
  if (cfg.fcn_test && cfg.feature_extraction)
    throw t.error("fcn_test", "fcn_test and feature_extraction cannot be used together");
  t.finish();
  return cfg;
}

// train_cfg: MMAction2's `blending` (a BLENDINGS config) and `aux_info` (the batch tensors
// train_step hands to the loss besides imgs and label); any other key is an error.
void read_train_cfg(Args& args, RecognizerParts& parts) {
  const Value* v = args.find("train_cfg");
  if (!v || v->is_none()) return;
  Args t(*v, "train_cfg", args.path() + ".train_cfg");
  if (const Value* b = t.find("blending"); b && !b->is_none()) {
    const std::string path = t.path() + ".blending";
    // The registry's own message gives the file position; say which config key it is too.
    if (b->is_dict() && b->as_dict().contains("type") && b->as_dict().at("type").is_str() &&
        !BLENDINGS().contains(b->as_dict().at("type").as_str()))
      throw ConfigError(
          path + ": " + BLENDINGS().unknown_type_message(b->as_dict().at("type").as_str()),
          b->location());
    parts.blending = BLENDINGS().build(*b, {path});
  }
  parts.aux_info = t.get<std::vector<std::string>>("aux_info", {});
  for (const char* taken : {"imgs", "label"})
    if (std::find(parts.aux_info.begin(), parts.aux_info.end(), taken) != parts.aux_info.end())
      throw t.error("aux_info", std::string("'") + taken + "' is passed anyway; list only extras");
  t.finish();
}

}  // namespace

RecognizerParts read_recognizer_parts(Args& args) {
  RecognizerParts parts;
  parts.backbone = BACKBONES().build(args.required<Value>("backbone"), {args.path() + ".backbone"});
  if (const Value* neck = args.find("neck"); neck && !neck->is_none())
    parts.neck = NECKS().build(*neck, {args.path() + ".neck"});
  if (const Value* h = args.find("cls_head"); h && !h->is_none())
    parts.cls_head = HEADS().build(*h, {args.path() + ".cls_head"});
  read_train_cfg(args, parts);
  parts.test_cfg = read_test_cfg(args);
  return parts;
}

}  // namespace tubelet
