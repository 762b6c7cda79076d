#include "tubelet/models/recognizers/recognizer2d.h"

#include "tubelet/models/registries.h"

namespace tubelet {

namespace {
// [N, num_segs, C, H, W] -> [N * num_segs, C, H, W], and num_segs.
std::pair<torch::Tensor, int64_t> flatten_segments(const torch::Tensor& imgs) {
  TORCH_CHECK(imgs.dim() == 5, "Recognizer2D expects [N, num_segs, C, H, W], got ", imgs.sizes());
  return {imgs.reshape({-1, imgs.size(2), imgs.size(3), imgs.size(4)}), imgs.size(1)};
}
}  // namespace

torch::Tensor Recognizer2DImpl::forward_dummy(const torch::Tensor& imgs) {
  auto [frames, num_segs] = flatten_segments(imgs);
  return cls_head->forward_scores_from(extract_feats(frames), num_segs);
}

torch::Tensor Recognizer2DImpl::forward_test(const torch::Tensor& imgs) {
  int64_t batches = imgs.size(0);
  auto [frames, num_segs] = flatten_segments(imgs);
  std::vector<torch::Tensor> feats = extract_feats(frames);
  if (test_cfg.feature_extraction)  // MMAction2 averages space, then the segments of a video
    return feats.back().mean({2, 3}).reshape({batches, num_segs, -1}).mean(1);
  torch::Tensor cls_score = cls_head->forward_scores_from(feats, num_segs);
  TORCH_CHECK(cls_score.size(0) % batches == 0, "head output does not split into the batch");
  return average_clip(cls_score, cls_score.size(0) / batches);
}

namespace {
std::shared_ptr<torch::nn::Module> build_recognizer2d(Args& args) {
  RecognizerParts p = read_recognizer_parts(args);
  return std::make_shared<Recognizer2DImpl>(p.backbone, p.cls_head, p.test_cfg);
}
}  // namespace

TUBELET_REGISTER(RECOGNIZERS, Recognizer2D, build_recognizer2d);

}  // namespace tubelet
