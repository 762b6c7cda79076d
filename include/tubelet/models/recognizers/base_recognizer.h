// What Recognizer2D and Recognizer3D share (MMAction2's BaseRecognizer): a backbone, an
// optional neck (e.g. TPN, whose auxiliary losses join the head's), a head, and test_cfg's
// averaging of clip scores.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/blendings/base_blending.h"
#include "tubelet/models/backbone.h"
#include "tubelet/models/head.h"
#include "tubelet/models/neck.h"
#include "tubelet/models/trainable.h"

namespace tubelet {

class ModuleHook;

struct RecognizerTestCfg {
  /// None, "score" (mean of scores) or "prob" (mean of softmax).
  std::optional<std::string> average_clips;
  bool feature_extraction = false;
  /// Recognizer2D only: spatially fully-convolutional testing (the head must be TPNHead),
  /// with `num_segs` (default: the backbone's num_segments) and a horizontal `flip`.
  bool fcn_test = false;
  std::optional<int64_t> num_segs;
  bool flip = false;
  /// At most this many views (the clips/crops of [N * views, ...] after flattening) go
  /// through the backbone at once at test time; their features are concatenated before the
  /// neck and head. None: `BaseRecognizerImpl::view_chunk` decides.
  std::optional<int64_t> max_testing_views;
};

// What the head receives: the backbone's maps (through the neck, if any), how many segments
// of a video are stacked along the batch, and the neck's losses while training.
struct HeadInput {
  std::vector<torch::Tensor> feats;
  int64_t num_segs = 1;
  LossDict losses;
};

class BaseRecognizerImpl : public torch::nn::Module, public Trainable {
 public:
  BaseRecognizerImpl(std::shared_ptr<Backbone> backbone, std::shared_ptr<Head> cls_head,
                     RecognizerTestCfg test_cfg, std::shared_ptr<Neck> neck = nullptr);

  // Class scores of a batch of videos, averaged over their clips/crops as test_cfg says.
  virtual torch::Tensor forward_test(const torch::Tensor& imgs) = 0;
  // The head's raw scores, as forward_dummy gives them.
  virtual torch::Tensor forward_dummy(const torch::Tensor& imgs) = 0;
  // Training: the neck's losses (loss_aux), then the head's losses and accuracies, for a
  // batch and its labels ([N] or [N, 1] class indices, or [N, num_classes] soft/multi-hot).
  // `aux`: the batch tensors train_cfg.aux_info names, handed to the head's loss.
  LossDict forward_train(const torch::Tensor& imgs, const torch::Tensor& labels,
                         const LossDict& aux = {});
  // The runner's steps: forward_train on the batch's "imgs" and "label" (blended first when
  // train_cfg has a blending), losses parsed as MMAction2's _parse_losses (val_step computes
  // the same losses, blending included, as MMAction2's val_step does).
  StepOutputs train_step(const Batch& batch) override;
  StepOutputs val_step(const Batch& batch) override;
  // forward_test on the batch's "imgs".
  torch::Tensor test_step(const Batch& batch) override;
  // The backbone's (last requested) feature map.
  torch::Tensor extract_feat(const torch::Tensor& x);
  // Every feature map the backbone returns (SlowFast: slow, fast); heads take them all. In
  // eval mode, in chunks of test_views_per_pass() views (see there), concatenated.
  std::vector<torch::Tensor> extract_feats(const torch::Tensor& x);
  // How many views one backbone pass takes at test time: test_cfg.max_testing_views if set,
  // else view_chunk, else all of them (0). Every pass gives each view the same features as
  // one pass over all (float rounding aside): chunks are rounded down to a multiple of the
  // backbone's group (backbone_view_group) and backbones of unknown kind are never split.
  int64_t test_views_per_pass() const;

  std::shared_ptr<Backbone> backbone;
  std::shared_ptr<Neck> neck;  // null without `neck=`
  std::shared_ptr<Head> cls_head;
  RecognizerTestCfg test_cfg;
  // train_cfg.blending (MixupBlending, CutmixBlending); null without one.
  std::shared_ptr<BaseMiniBatchBlending> blending;
  // train_cfg.aux_info: batch tensors train_step passes to the loss (HVULoss's masks).
  std::vector<std::string> aux_info;
  // Views per backbone pass at test time when test_cfg has no max_testing_views (inference
  // sets it to bound the memory of a pass); none: all views in one pass, as MMAction2.
  std::optional<int64_t> view_chunk;
  // The config's module_hooks (module_hook.h), run in order on the backbone's input.
  std::vector<std::shared_ptr<ModuleHook>> backbone_pre_hooks;

 protected:
  // The backbone's maps for a batch, through the neck when there is one; `target` (the
  // squeezed labels) only while training.
  virtual HeadInput head_input(const torch::Tensor& imgs, const torch::Tensor& target) = 0;
  torch::Tensor average_clip(const torch::Tensor& cls_score, int64_t num_segs) const;
};

// The config side shared by the recognizers: backbone, neck, cls_head, train_cfg and test_cfg.
struct RecognizerParts {
  std::shared_ptr<Backbone> backbone;
  std::shared_ptr<Neck> neck;
  std::shared_ptr<Head> cls_head;
  std::shared_ptr<BaseMiniBatchBlending> blending;
  std::vector<std::string> aux_info;
  RecognizerTestCfg test_cfg;
};
RecognizerParts read_recognizer_parts(Args& args);

// How many consecutive inputs of a batch `backbone` computes together in eval mode: 1 for the
// backbones that compute each input on its own (ResNet, MobileNetV2, the 3D ones, ...), the
// clip's segments for those that mix them (TSM, TIN, TANet, MobileNetV2-TSM), 0 for a backbone
// Tubelet does not know (a plugin's), which is then never split into chunks.
int64_t backbone_view_group(const Backbone& backbone);

}  // namespace tubelet
