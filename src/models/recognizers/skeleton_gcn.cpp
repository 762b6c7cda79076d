#include "tubelet/models/recognizers/skeleton_gcn.h"

#include "tubelet/models/registries.h"

namespace tubelet {

SkeletonGCNImpl::SkeletonGCNImpl(std::shared_ptr<Backbone> backbone, std::shared_ptr<Head> cls_head)
    : BaseRecognizerImpl(std::move(backbone), std::move(cls_head), RecognizerTestCfg{}) {}

HeadInput SkeletonGCNImpl::head_input(const torch::Tensor& keypoint,
                                      const torch::Tensor& /*target*/) {
  // One "segment" per sample: the head folds the persons (M) of a sample itself.
  return {extract_feats(keypoint), 1, {}};
}

torch::Tensor SkeletonGCNImpl::forward_dummy(const torch::Tensor& keypoint) {
  if (!cls_head) throw std::invalid_argument("SkeletonGCN: testing needs a cls_head");
  HeadInput in = head_input(keypoint, {});
  return cls_head->forward_scores_from(in.feats, in.num_segs);
}

torch::Tensor SkeletonGCNImpl::forward_test(const torch::Tensor& keypoint) {
  return forward_dummy(keypoint);
}

StepOutputs SkeletonGCNImpl::train_step(const Batch& batch) {
  if (!cls_head) throw std::invalid_argument("SkeletonGCN: training needs a cls_head");
  const torch::Tensor& keypoint = batch.at("keypoint");
  return parse_losses(forward_train(keypoint, batch.at("label")), keypoint.size(0));
}

StepOutputs SkeletonGCNImpl::val_step(const Batch& batch) {
  return train_step(batch);
}

torch::Tensor SkeletonGCNImpl::test_step(const Batch& batch) {
  return forward_test(batch.at("keypoint"));
}

namespace {

std::shared_ptr<BaseRecognizerImpl> build_skeleton_gcn(Args& args) {
  auto backbone = BACKBONES().build(args.required<Value>("backbone"), {args.path() + ".backbone"});
  std::shared_ptr<Head> head;
  if (const Value* h = args.find("cls_head"); h && !h->is_none())
    head = HEADS().build(*h, {args.path() + ".cls_head"});
  // Stored and never read by MMAction2's BaseGCN: accepted whatever they hold.
  args.get("train_cfg", Value());
  args.get("test_cfg", Value());
  return std::make_shared<SkeletonGCNImpl>(backbone, head);
}

}  // namespace

TUBELET_REGISTER(RECOGNIZERS, SkeletonGCN, build_skeleton_gcn);

}  // namespace tubelet
