// MMAction2's SkeletonGCN (mmaction/models/skeleton_gcn/, registered in RECOGNIZERS): a
// skeleton backbone (STGCN, AGCN) and a head (STGCNHead) on keypoints [N, C, T, V, M], the
// batch key "keypoint" (the pipelines collect keys=['keypoint', 'label']). BaseGCN's
// semantics: training gives the head's losses and accuracies (top1_acc, top5_acc, loss_cls);
// testing gives the head's raw class scores [N, num_classes], with no averaging. BaseGCN takes
// backbone, cls_head, train_cfg and test_cfg only (no neck); it stores train_cfg and test_cfg
// and reads nothing from them, and so does this class.
#pragma once

#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet {

class SkeletonGCNImpl : public BaseRecognizerImpl {
 public:
  SkeletonGCNImpl(std::shared_ptr<Backbone> backbone, std::shared_ptr<Head> cls_head);
  // keypoint [N, C, T, V, M] -> [N, num_classes].
  torch::Tensor forward_test(const torch::Tensor& keypoint) override;
  torch::Tensor forward_dummy(const torch::Tensor& keypoint) override;
  // forward_train on the batch's "keypoint" and "label" ([N] or [N, 1]).
  StepOutputs train_step(const Batch& batch) override;
  StepOutputs val_step(const Batch& batch) override;
  torch::Tensor test_step(const Batch& batch) override;

 protected:
  HeadInput head_input(const torch::Tensor& keypoint, const torch::Tensor& target) override;
};
TORCH_MODULE(SkeletonGCN);

}  // namespace tubelet
