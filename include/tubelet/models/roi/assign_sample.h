// The box bookkeeping MMAction2's AVA detector takes from mmdet 2.x: IoU overlaps,
// MaxIoUAssignerAVA (MaxIoUAssigner with multi-hot labels), RandomSampler, bbox2roi, and
// MMAction2's bbox_target and bbox2result.
#pragma once

#include <torch/arg.h>
#include <torch/types.h>

#include <utility>
#include <vector>

#include "tubelet/args.h"

namespace tubelet {

// mmdet's bbox_overlaps(a [k, 4], b [n, 4], mode='iou'): [k, n], areas without the legacy +1,
// the union clamped to at least 1e-6.
torch::Tensor bbox_overlaps(const torch::Tensor& a, const torch::Tensor& b);

// mmdet's AssignResult: gt_inds -1 (ignored), 0 (negative) or the 1-based index of the gt;
// labels [n, num_classes] multi-hot (all 0 where not positive).
struct AssignResult {
  int64_t num_gts = 0;
  torch::Tensor gt_inds, max_overlaps, labels;
  // Puts the gts in front as their own proposals (mmdet's add_gt_).
  void add_gt(const torch::Tensor& gt_labels);
};

struct MaxIoUAssignerAVAOptions {
  TORCH_ARG(double, pos_iou_thr) = 0.5;
  /// A float, or a (low, high) range of negatives.
  TORCH_ARG(std::vector<double>, neg_iou_thr) = std::vector<double>{0.5};
  TORCH_ARG(double, min_pos_iou) = 0.;
  TORCH_ARG(bool, gt_max_assign_all) = true;
  TORCH_ARG(double, ignore_iof_thr) = -1;
  TORCH_ARG(bool, ignore_wrt_candidates) = true;
  TORCH_ARG(bool, match_low_quality) = true;
  TORCH_ARG(int64_t, gpu_assign_thr) = -1;

 public:
  // The assigner's dict, `type` included (which must be MaxIoUAssignerAVA).
  static MaxIoUAssignerAVAOptions from_config(const Value& cfg, const std::string& path);
};

// MaxIoUAssignerAVA.assign(bboxes [n, >=4], gt_bboxes [k, 4], gt_labels [k, num_classes]).
AssignResult assign_max_iou_ava(const MaxIoUAssignerAVAOptions& options,
                                const torch::Tensor& bboxes, const torch::Tensor& gt_bboxes,
                                const torch::Tensor& gt_labels);

struct RandomSamplerOptions {
  TORCH_ARG(int64_t, num) = 512;
  TORCH_ARG(double, pos_fraction) = 0.25;
  TORCH_ARG(double, neg_pos_ub) = -1;
  TORCH_ARG(bool, add_gt_as_proposals) = true;

 public:
  static RandomSamplerOptions from_config(const Value& cfg, const std::string& path);
};

// mmdet's SamplingResult (what AVA uses of it).
struct SamplingResult {
  torch::Tensor pos_inds, neg_inds, pos_bboxes, neg_bboxes, pos_is_gt, pos_gt_labels;
  torch::Tensor bboxes() const;  // positives, then negatives
};

// RandomSampler.sample: positives and negatives drawn with torch::randperm (the global
// generator) when there are more than wanted; indices sorted (torch.unique).
SamplingResult random_sample(const RandomSamplerOptions& options, AssignResult assign,
                             const torch::Tensor& bboxes, const torch::Tensor& gt_bboxes,
                             const torch::Tensor& gt_labels);

// mmdet's bbox2roi: [sum n_i, 5] of (image index, x1, y1, x2, y2).
torch::Tensor bbox2roi(const std::vector<torch::Tensor>& bbox_list);

// MMAction2's bbox_target: labels (positives' multi-hot labels, zeros for negatives) and
// label weights (pos_weight, or 1 when <= 0, for positives; 1 for negatives).
std::pair<torch::Tensor, torch::Tensor> bbox_target(const std::vector<SamplingResult>& results,
                                                    double pos_weight);

// MMAction2's bbox2result: for each class but 0, the [m, 5] (x1, y1, x2, y2, score) rows whose
// score beats thr (one threshold, or one per class); a single negative threshold means
// single-label: each box goes to its best class. float32, on the CPU.
std::vector<torch::Tensor> bbox2result(const torch::Tensor& bboxes, const torch::Tensor& scores,
                                       int64_t num_classes, const std::vector<double>& thr);

}  // namespace tubelet
