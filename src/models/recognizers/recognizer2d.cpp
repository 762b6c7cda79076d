#include "tubelet/models/recognizers/recognizer2d.h"

#include "tubelet/models/backbones/mobilenet_v2_tsm.h"
#include "tubelet/models/backbones/resnet_tsm.h"
#include "tubelet/models/heads/tpn_head.h"
#include "tubelet/models/registries.h"

namespace tubelet {

namespace {
// [N, num_segs, C, H, W] -> [N * num_segs, C, H, W], and num_segs.
std::pair<torch::Tensor, int64_t> flatten_segments(const torch::Tensor& imgs) {
  TORCH_CHECK(imgs.dim() == 5, "Recognizer2D expects [N, num_segs, C, H, W], got ", imgs.sizes());
  return {imgs.reshape({-1, imgs.size(2), imgs.size(3), imgs.size(4)}), imgs.size(1)};
}

// [N * num_segs, C, H, W] -> [N, C, num_segs, H, W]: the segments become a neck's T.
std::vector<torch::Tensor> fold_segments(const std::vector<torch::Tensor>& feats,
                                         int64_t num_segs) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& f : feats) {
    TORCH_CHECK(f.dim() == 4 && f.size(0) % num_segs == 0,
                "Recognizer2D: a neck needs [N * num_segs, C, H, W] maps with num_segs = ",
                num_segs, ", got ", f.sizes());
    std::vector<int64_t> shape{-1, num_segs};
    for (int64_t d = 1; d < f.dim(); ++d) shape.push_back(f.size(d));
    out.push_back(f.reshape(shape).transpose(1, 2).contiguous());
  }
  return out;
}
}  // namespace

HeadInput Recognizer2DImpl::head_input(const torch::Tensor& imgs, const torch::Tensor& target) {
  auto [frames, num_segs] = flatten_segments(imgs);
  std::vector<torch::Tensor> feats = extract_feats(frames);
  if (!neck) return {std::move(feats), num_segs, {}};
  NeckOutput out = neck->forward_neck(fold_segments(feats, num_segs), target);
  for (torch::Tensor& f : out.feats) f = f.squeeze(2);
  return {std::move(out.feats), 1, std::move(out.losses)};
}

torch::Tensor Recognizer2DImpl::forward_dummy(const torch::Tensor& imgs) {
  HeadInput in = head_input(imgs, {});
  return cls_head->forward_scores_from(in.feats, in.num_segs);
}

torch::Tensor Recognizer2DImpl::forward_test(const torch::Tensor& imgs) {
  if (test_cfg.fcn_test) return fcn_test(imgs);
  int64_t batches = imgs.size(0);
  HeadInput in = head_input(imgs, {});
  if (test_cfg.feature_extraction)  // MMAction2 averages space, then the segments of a video
    return in.feats.back().mean({2, 3}).reshape({batches, in.num_segs, -1}).mean(1);
  torch::Tensor cls_score = cls_head->forward_scores_from(in.feats, in.num_segs);
  TORCH_CHECK(cls_score.size(0) % batches == 0, "head output does not split into the batch");
  return average_clip(cls_score, cls_score.size(0) / batches);
}

int64_t Recognizer2DImpl::fcn_num_segs() const {
  if (test_cfg.num_segs) return *test_cfg.num_segs;
  if (auto* tsm = dynamic_cast<ResNetTSMImpl*>(backbone.get()))
    return tsm->tsm_options.num_segments();
  if (auto* mobilenet = dynamic_cast<MobileNetV2TSMImpl*>(backbone.get()))
    return mobilenet->tsm_options.num_segments();
  throw std::invalid_argument(
      "Recognizer2D fcn_test: the backbone has no num_segments; set test_cfg.num_segs");
}

torch::Tensor Recognizer2DImpl::fcn_test(const torch::Tensor& imgs) {
  auto* head = dynamic_cast<TPNHeadImpl*>(cls_head.get());
  if (!head)
    throw std::invalid_argument(
        "Recognizer2D: test_cfg.fcn_test needs a head with an fcn test (TPNHead)");
  int64_t batches = imgs.size(0);
  torch::Tensor frames = flatten_segments(imgs).first;
  int64_t num_segs = fcn_num_segs();
  if (test_cfg.flip) frames = torch::flip(frames, {-1});
  std::vector<torch::Tensor> feats = extract_feats(frames);
  torch::Tensor x = neck ? neck->forward_neck(fold_segments(feats, num_segs), {}).feats.back()
                         : fold_segments({feats.back()}, num_segs).back();
  torch::Tensor cls_score = head->forward_fcn(x);
  TORCH_CHECK(cls_score.size(0) % batches == 0, "head output does not split into the batch");
  return average_clip(cls_score, cls_score.size(0) / batches);
}

namespace {
std::shared_ptr<BaseRecognizerImpl> build_recognizer2d(Args& args) {
  RecognizerParts p = read_recognizer_parts(args);
  auto model = std::make_shared<Recognizer2DImpl>(p.backbone, p.cls_head, p.test_cfg, p.neck);
  model->blending = p.blending;
  model->aux_info = p.aux_info;
  return model;
}
}  // namespace

TUBELET_REGISTER(RECOGNIZERS, Recognizer2D, build_recognizer2d);

}  // namespace tubelet
