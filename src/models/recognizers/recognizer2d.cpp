#include "tubelet/models/recognizers/recognizer2d.h"

#include "tubelet/models/registries.h"

namespace tubelet {

Recognizer2DImpl::Recognizer2DImpl(std::shared_ptr<Backbone> backbone_,
                                   std::shared_ptr<Head> cls_head_, RecognizerTestCfg test_cfg_)
    : backbone(std::move(backbone_)),
      cls_head(std::move(cls_head_)),
      test_cfg(std::move(test_cfg_)) {
  register_module("backbone", backbone);
  if (cls_head) register_module("cls_head", cls_head);
}

torch::Tensor Recognizer2DImpl::extract_feat(const torch::Tensor& frames) {
  return backbone->forward_features(frames).back();
}

namespace {
// [N, num_segs, C, H, W] -> [N * num_segs, C, H, W], and num_segs.
std::pair<torch::Tensor, int64_t> flatten_segments(const torch::Tensor& imgs) {
  TORCH_CHECK(imgs.dim() == 5, "Recognizer2D expects [N, num_segs, C, H, W], got ", imgs.sizes());
  std::vector<int64_t> shape = {-1};
  for (int64_t i = 2; i < imgs.dim(); ++i) shape.push_back(imgs.size(i));
  return {imgs.reshape(shape), imgs.size(1)};
}
}  // namespace

torch::Tensor Recognizer2DImpl::forward_dummy(const torch::Tensor& imgs) {
  auto [frames, num_segs] = flatten_segments(imgs);
  return cls_head->forward_scores(extract_feat(frames), num_segs);
}

torch::Tensor Recognizer2DImpl::forward_test(const torch::Tensor& imgs) {
  int64_t batches = imgs.size(0);
  auto [frames, num_segs] = flatten_segments(imgs);
  torch::Tensor x = extract_feat(frames);
  if (test_cfg.feature_extraction) {
    // MMAction2 averages the spatial dims and the segments of each video.
    x = x.mean({2, 3}).reshape({batches, num_segs, -1}).mean(1);
    return x;
  }
  torch::Tensor cls_score = cls_head->forward_scores(x, num_segs);
  TORCH_CHECK(cls_score.size(0) % batches == 0, "head output does not split into the batch");
  return average_clip(cls_score, cls_score.size(0) / batches);
}

torch::Tensor Recognizer2DImpl::average_clip(const torch::Tensor& cls_score,
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
  t.finish();
  return cfg;
}

template <class T>
std::shared_ptr<T> build_part(ModuleRegistry& registry, const Value& cfg, const std::string& path,
                              const char* what) {
  auto module = registry.build(cfg, {path});
  auto part = std::dynamic_pointer_cast<T>(module);
  if (!part)
    throw ConfigError(path + ": '" + cfg.as_dict().at("type").as_str() + "' is not a " + what +
                          " (its class does not derive tubelet::" + what + ")",
                      cfg.location());
  return part;
}

std::shared_ptr<torch::nn::Module> build_recognizer2d(Args& args) {
  auto backbone = build_part<Backbone>(BACKBONES(), args.required<Value>("backbone"),
                                       args.path() + ".backbone", "Backbone");
  if (const Value* neck = args.find("neck"); neck && !neck->is_none())
    throw args.error("neck", "necks are not supported yet");
  std::shared_ptr<Head> head;
  if (const Value* h = args.find("cls_head"); h && !h->is_none())
    head = build_part<Head>(HEADS(), *h, args.path() + ".cls_head", "Head");
  Value train_cfg = args.get<Value>("train_cfg", Value());
  if (!train_cfg.is_none() && !(train_cfg.is_dict() && train_cfg.as_dict().empty()))
    throw args.error("train_cfg", "train_cfg options are not supported yet (only None)");
  RecognizerTestCfg test_cfg = read_test_cfg(args);
  return std::make_shared<Recognizer2DImpl>(backbone, head, test_cfg);
}

}  // namespace

TUBELET_REGISTER(RECOGNIZERS, Recognizer2D, build_recognizer2d);

}  // namespace tubelet
