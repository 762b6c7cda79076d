// mmdet's FastRCNN (a TwoStageDetector without RPN) as MMAction2's AVA configs use it: a 3D
// backbone, then AVARoIHead on the given proposals. Checkpoint keys backbone.*, roi_head.*.
#pragma once

#include "tubelet/models/backbone.h"
#include "tubelet/models/detector.h"
#include "tubelet/models/roi_heads/ava_roi_head.h"

namespace tubelet {

class FastRCNNImpl : public Detector {
 public:
  FastRCNNImpl(std::shared_ptr<Backbone> backbone, AVARoIHead roi_head);

  // Every map the backbone returns (SlowFast: slow, fast).
  std::vector<torch::Tensor> extract_feat(const torch::Tensor& img);
  // img [N, C, T, H, W]; per image: proposals [n, 4|5], gt_bboxes [k, 4], gt_labels
  // [k, num_classes] multi-hot. BBoxHeadAVA's losses and metrics.
  NamedTensors forward_train(const torch::Tensor& img, const std::vector<torch::Tensor>& proposals,
                             const std::vector<torch::Tensor>& gt_bboxes,
                             const std::vector<torch::Tensor>& gt_labels);
  // One image (MMAction2 tests one at a time): [num_classes - 1] arrays of (x1, y1, x2, y2,
  // score) rows, boxes in [0, 1] units of the original frame.
  std::vector<torch::Tensor> simple_test(const torch::Tensor& img, const torch::Tensor& proposals,
                                         const AVAImageMeta& meta);

  // Batch fields: "img", and the per-sample lists "proposals", "gt_bboxes", "gt_labels".
  StepOutputs train_step(const Batch& batch) override;
  StepOutputs val_step(const Batch& batch) override;
  // One record per image: a list (one per class but 0) of lists of [x1, y1, x2, y2, score].
  bool gives_records() const override { return true; }
  List test_records(const Batch& batch) override;

  std::shared_ptr<Backbone> backbone;
  AVARoIHead roi_head{nullptr};
};

}  // namespace tubelet
