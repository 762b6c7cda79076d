#include "tubelet/models/recognizers/recognizer3d.h"

#include "tubelet/models/registries.h"

namespace tubelet {

namespace {
// [N, num_clips, C, T, H, W] -> [N * num_clips, C, T, H, W].
torch::Tensor flatten_clips_recognizer3d(const torch::Tensor& imgs) {
  TORCH_CHECK(imgs.dim() == 6, "Recognizer3D expects [N, num_clips, C, T, H, W], got ",
              imgs.sizes());
  return imgs.reshape({-1, imgs.size(2), imgs.size(3), imgs.size(4), imgs.size(5)});
}
}  // namespace

HeadInput Recognizer3DImpl::head_input(const torch::Tensor& imgs, const torch::Tensor& target) {
  std::vector<torch::Tensor> feats = extract_feats(flatten_clips_recognizer3d(imgs));
  if (!neck) return {std::move(feats), 1, {}};
  NeckOutput out = neck->forward_neck(feats, target);
  return {std::move(out.feats), 1, std::move(out.losses)};
}

torch::Tensor Recognizer3DImpl::forward_dummy(const torch::Tensor& imgs) {
  return cls_head->forward_scores_from(head_input(imgs, {}).feats, 1);
}

torch::Tensor Recognizer3DImpl::forward_test(const torch::Tensor& imgs) {
  int64_t num_clips = imgs.size(1);
  std::vector<torch::Tensor> feats = head_input(imgs, {}).feats;
  if (test_cfg.feature_extraction) {
    // MMAction2 pools 3D-CNN maps [N, C, T, H, W] over T, H, W and concatenates several
    // (SlowFast's slow and fast) along channels; transformer features [N, C] stay as they
    // are. Then the clips of a video are averaged.
    std::vector<torch::Tensor> pooled;
    for (const torch::Tensor& feat : feats) {
      if (feat.dim() != 5 && feat.dim() != 2)
        throw std::invalid_argument(
            "Recognizer3D feature extraction: got a feature of " + std::to_string(feat.dim()) +
            " dims; only 3D-CNN-like ([N, in_channels, T, H, W]) and transformer-like "
            "([N, in_channels]) features are supported");
      pooled.push_back(feat.dim() == 5 ? feat.mean({2, 3, 4}) : feat);
    }
    return torch::cat(pooled, 1).reshape({imgs.size(0), num_clips, -1}).mean(1);
  }
  return average_clip(cls_head->forward_scores_from(feats, 1), num_clips);
}

namespace {
std::shared_ptr<BaseRecognizerImpl> build_recognizer3d(Args& args) {
  RecognizerParts p = read_recognizer_parts(args);
  auto model = std::make_shared<Recognizer3DImpl>(p.backbone, p.cls_head, p.test_cfg, p.neck);
  model->blending = p.blending;
  model->aux_info = p.aux_info;
  return model;
}
}  // namespace

TUBELET_REGISTER(RECOGNIZERS, Recognizer3D, build_recognizer3d);

}  // namespace tubelet
