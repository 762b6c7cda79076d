#include "tubelet/models/roi_heads/ava_roi_head.h"

#include <torch/torch.h>

#include <stdexcept>

#include "tubelet/config/error.h"
#include "tubelet/registry.h"

namespace tubelet {

namespace {

// A sub-module's dict, whose type must be `expected` (Tubelet builds these parts directly:
// mmdet's ROI_EXTRACTORS, SHARED_HEADS and HEADS hold nothing else MMAction2 uses).
template <class F>
auto ava_roi_head_part(const Value& cfg, const std::string& path, const char* registry,
                       const char* expected, F read) {
  auto [type, args] = detail::split_module_config(cfg, {path}, registry);
  if (type != expected)
    throw ConfigError(path + ": '" + type + "' is not in Tubelet's " + registry +
                          " for AVARoIHead (it has " + expected + ")",
                      cfg.location());
  auto out = read(args);
  args.finish();
  return out;
}

AVARoIHeadTrainCfg ava_roi_head_train_cfg(const Value& cfg, const std::string& path) {
  Args args(cfg, "AVARoIHead", path);
  if (!cfg.is_dict()) throw ConfigError(path + ": train_cfg must be a dict", cfg.location());
  AVARoIHeadTrainCfg t;
  t.assigner =
      MaxIoUAssignerAVAOptions::from_config(args.required<Value>("assigner"), path + ".assigner");
  t.sampler = RandomSamplerOptions::from_config(args.required<Value>("sampler"), path + ".sampler");
  t.pos_weight = args.get("pos_weight", t.pos_weight);
  t.debug = args.get("debug", t.debug);
  args.finish();
  return t;
}

AVARoIHeadTestCfg ava_roi_head_test_cfg(const Value& cfg, const std::string& path) {
  if (!cfg.is_dict()) throw ConfigError(path + ": test_cfg must be a dict", cfg.location());
  Args args(cfg, "AVARoIHead", path);
  AVARoIHeadTestCfg t;
  const Value* thr = args.find("action_thr");
  if (!thr) throw args.error("action_thr", "missing required argument 'action_thr'");
  if (thr->is_sequence())
    t.action_thr = args.required<std::vector<double>>("action_thr");
  else
    t.action_thr = {args.required<double>("action_thr")};
  if (t.action_thr.empty()) throw args.error("action_thr", "action_thr must not be empty");
  args.finish();
  return t;
}

std::vector<double> ava_roi_head_numbers(const Value& v, const char* what) {
  std::vector<double> out;
  if (!v.is_sequence())
    throw std::invalid_argument(std::string("AVARoIHead: meta '") + what +
                                "' must be a sequence of numbers");
  for (const Value& x : v.as_list()) {
    if (!x.is_number())
      throw std::invalid_argument(std::string("AVARoIHead: meta '") + what +
                                  "' must be a sequence of numbers");
    out.push_back(x.as_float());
  }
  return out;
}

}  // namespace

AVAImageMeta AVAImageMeta::from_meta(const Dict& meta) {
  AVAImageMeta m;
  const Value* shape = meta.find("img_shape");
  if (!shape) throw std::invalid_argument("AVARoIHead: the image meta has no 'img_shape'");
  std::vector<double> hw = ava_roi_head_numbers(*shape, "img_shape");
  if (hw.size() < 2) throw std::invalid_argument("AVARoIHead: meta 'img_shape' must be (h, w)");
  m.img_shape = {hw[0], hw[1]};
  if (const Value* flip = meta.find("flip")) m.flip = is_truthy(*flip);
  if (const Value* crop = meta.find("crop_quadruple")) {
    m.crop_quadruple = ava_roi_head_numbers(*crop, "crop_quadruple");
    if (m.crop_quadruple.size() != 4)
      throw std::invalid_argument("AVARoIHead: meta 'crop_quadruple' must hold 4 numbers");
  }
  return m;
}

AVARoIHeadImpl::AVARoIHeadImpl(SingleRoIExtractor3D extractor, BBoxHeadAVA head,
                               std::shared_ptr<ACRNHeadImpl> shared,
                               std::optional<AVARoIHeadTrainCfg> train,
                               std::optional<AVARoIHeadTestCfg> test)
    : train_cfg(std::move(train)), test_cfg(std::move(test)) {
  // BaseRoIHead's order: shared_head, then bbox_roi_extractor and bbox_head.
  if (shared) shared_head = register_module("shared_head", shared);
  bbox_roi_extractor = register_module("bbox_roi_extractor", extractor);
  bbox_head = register_module("bbox_head", head);
}

std::shared_ptr<AVARoIHeadImpl> AVARoIHeadImpl::from_config(const Value& cfg,
                                                            const std::string& path) {
  return ava_roi_head_part(cfg, path, "HEADS", "AVARoIHead", [&](Args& args) {
    std::shared_ptr<ACRNHeadImpl> shared;
    if (const Value* s = args.find("shared_head"); s && !s->is_none())
      shared = ava_roi_head_part(
          *s, path + ".shared_head", "SHARED_HEADS", "ACRNHead",
          [](Args& a) { return std::make_shared<ACRNHeadImpl>(ACRNHeadOptions::from_config(a)); });
    const Value* e = args.find("bbox_roi_extractor");
    const Value* h = args.find("bbox_head");
    if (!e || e->is_none() || !h || h->is_none())
      throw args.error(!e || e->is_none() ? "bbox_roi_extractor" : "bbox_head",
                       "AVARoIHead needs a bbox_roi_extractor and a bbox_head");
    auto extractor = ava_roi_head_part(
        *e, path + ".bbox_roi_extractor", "ROI_EXTRACTORS", "SingleRoIExtractor3D",
        [](Args& a) { return SingleRoIExtractor3D(SingleRoIExtractor3DOptions::from_config(a)); });
    auto head = ava_roi_head_part(*h, path + ".bbox_head", "HEADS", "BBoxHeadAVA", [](Args& a) {
      return BBoxHeadAVA(BBoxHeadAVAOptions::from_config(a));
    });
    for (const char* key : {"mask_roi_extractor", "mask_head", "init_cfg"})
      if (const Value* v = args.find(key); v && !v->is_none())
        throw args.error(key, std::string("AVARoIHead does not support ") + key);
    args.find("pretrained");  // TwoStageDetector passes its own; only the backbone loads one
    std::optional<AVARoIHeadTrainCfg> train;
    if (const Value* t = args.find("train_cfg"); t && !t->is_none())
      train = ava_roi_head_train_cfg(*t, path + ".train_cfg");
    std::optional<AVARoIHeadTestCfg> test;
    if (const Value* t = args.find("test_cfg"); t && !t->is_none())
      test = ava_roi_head_test_cfg(*t, path + ".test_cfg");
    return std::make_shared<AVARoIHeadImpl>(extractor, head, shared, train, test);
  });
}

torch::Tensor AVARoIHeadImpl::bbox_forward(const std::vector<torch::Tensor>& x,
                                           const torch::Tensor& rois) {
  auto [bbox_feat, global_feat] = bbox_roi_extractor->forward(x, rois);
  if (shared_head) bbox_feat = shared_head->forward(bbox_feat, global_feat, rois);
  return bbox_head->forward(bbox_feat);
}

NamedTensors AVARoIHeadImpl::forward_train(const std::vector<torch::Tensor>& x,
                                           const std::vector<torch::Tensor>& proposal_list,
                                           const std::vector<torch::Tensor>& gt_bboxes,
                                           const std::vector<torch::Tensor>& gt_labels) {
  if (!train_cfg)
    throw std::invalid_argument("AVARoIHead: training needs train_cfg.rcnn (assigner, sampler)");
  const size_t n = proposal_list.size();
  if (gt_bboxes.size() != n || gt_labels.size() != n || x.empty() || x[0].size(0) != int64_t(n))
    throw std::invalid_argument("AVARoIHead: " + std::to_string(n) + " proposal lists, " +
                                std::to_string(gt_bboxes.size()) + " gt_bboxes and " +
                                std::to_string(gt_labels.size()) + " gt_labels for a batch of " +
                                std::to_string(x.empty() ? 0 : x[0].size(0)) + " images");
  const auto float_opts = x[0].options().dtype(torch::kFloat);
  std::vector<SamplingResult> results;
  std::vector<torch::Tensor> sampled;
  for (size_t i = 0; i < n; ++i) {
    torch::Tensor proposals = proposal_list[i].to(float_opts);
    torch::Tensor gts = gt_bboxes[i].to(float_opts);
    torch::Tensor labels = gt_labels[i].to(float_opts);
    AssignResult assign = assign_max_iou_ava(train_cfg->assigner, proposals, gts, labels);
    results.push_back(random_sample(train_cfg->sampler, assign, proposals, gts, labels));
    sampled.push_back(results.back().bboxes());
  }
  torch::Tensor rois = bbox2roi(sampled);
  torch::Tensor cls_score = bbox_forward(x, rois);
  auto [labels, label_weights] = bbox_target(results, train_cfg->pos_weight);
  return bbox_head->loss(cls_score, labels);
}

AVADetBoxes AVARoIHeadImpl::simple_test_bboxes(const std::vector<torch::Tensor>& x,
                                               const std::vector<torch::Tensor>& proposal_list,
                                               const AVAImageMeta& meta) {
  std::vector<torch::Tensor> proposals;
  for (const torch::Tensor& p : proposal_list)
    proposals.push_back(p.to(x.at(0).options().dtype(torch::kFloat)));
  torch::Tensor rois = bbox2roi(proposals);
  torch::Tensor cls_score = bbox_forward(x, rois);
  return bbox_head->get_det_bboxes(rois, cls_score, meta.img_shape, meta.flip, meta.crop_quadruple);
}

std::vector<torch::Tensor> AVARoIHeadImpl::simple_test(
    const std::vector<torch::Tensor>& x, const std::vector<torch::Tensor>& proposal_list,
    const AVAImageMeta& meta) {
  if (!test_cfg) throw std::invalid_argument("AVARoIHead: testing needs test_cfg.rcnn.action_thr");
  if (x.empty() || x[0].size(0) != 1 || proposal_list.size() != 1)
    throw std::invalid_argument("AVARoIHead: only accept 1 sample at test mode (got a batch of " +
                                std::to_string(x.empty() ? 0 : x[0].size(0)) + " and " +
                                std::to_string(proposal_list.size()) + " proposal lists)");
  AVADetBoxes det = simple_test_bboxes(x, proposal_list, meta);
  return bbox2result(det.bboxes, det.scores, bbox_head->options.num_classes(),
                     test_cfg->action_thr);
}

}  // namespace tubelet
