// SSN's evaluation (MMAction2's SSNDataset.evaluate with metrics='mAP', eval_dataset
// 'thumos14'): the model's per-video scores become per-class detections
// (results_to_detections), are regressed (perform_regression) and NMSed (temporal_nms) in
// float32 as NumPy does, and are scored by eval_ap (average_precision_at_temporal_iou) at the
// tIoU thresholds 0.1, 0.2, ..., 0.9.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace tubelet {

// One video's forward_test result (SSNTestResult's arrays).
struct SSNVideoScores {
  torch::Tensor relative_proposal_list;  // [P, 2] (or [1, P, 2])
  torch::Tensor activity_scores;         // [P, num_classes + 1]
  torch::Tensor completeness_scores;     // [P, num_classes]
  torch::Tensor bbox_preds;              // [P, num_classes, 2]; undefined: zeros
};

struct SSNGroundTruthInstance {
  int64_t label = 0;  // 1-based class
  double start_frame = 0;
  double end_frame = 0;
};

// What evaluate reads of a video_info: its id, frame count and ground truths.
struct SSNVideoGroundTruth {
  std::string video_id;
  int64_t total_frames = 0;
  std::vector<SSNGroundTruthInstance> gts;
};

// One detection row: relative start, end, score, center and span regression.
using SSNDetection = std::array<float, 5>;
// Per video, in the order the videos first got a detection (a Python dict's order).
using SSNClassDetections = std::vector<std::pair<std::string, std::vector<SSNDetection>>>;

// MMAction2's results_to_detections: score = softmax(activity[:, 1:]) * exp(completeness);
// top_k > 0 keeps the top_k (proposal, class) pairs of each video (numpy argsort order).
std::vector<SSNClassDetections> ssn_results_to_detections(
    const std::vector<SSNVideoScores>& results, const std::vector<std::string>& video_ids,
    int64_t top_k = 2000);
// ssn_utils.perform_regression (float32): shifts the center by span * dx, scales the span by
// exp(dw), clips to [0, 1].
std::vector<SSNDetection> ssn_perform_regression(const std::vector<SSNDetection>& detections);
// ssn_utils.temporal_nms (float32 IoU): keeps by decreasing score, dropping IoU > threshold.
std::vector<SSNDetection> ssn_temporal_nms(const std::vector<SSNDetection>& detections,
                                           double threshold);

// One prediction of eval_ap: video, start, end, score.
struct SSNPlainDetection {
  std::string video_id;
  double start = 0, end = 0, score = 0;
};
// Ground truths of one class: per video, [start, end] in [0, 1] (insertion order).
using SSNClassGroundTruth = std::vector<std::pair<std::string, std::vector<std::array<double, 2>>>>;

// MMAction2's average_precision_at_temporal_iou for one class (float32 AP per threshold).
std::vector<float> ssn_average_precision_at_temporal_iou(
    const SSNClassGroundTruth& ground_truth, const std::vector<SSNPlainDetection>& prediction,
    const std::vector<double>& thresholds);

struct SSNEvaluateOptions {
  int64_t top_k = 2000;  // test_cfg.ssn.evaluater.top_k
  double nms = 0.2;      // test_cfg.ssn.evaluater.nms
  bool use_regression = true;
};

// SSNDataset.evaluate(results, 'mAP'): ("mAP@0.10", ...) through "mAP@0.90". `videos` are the
// dataset's video_infos in order, one per result.
std::vector<std::pair<std::string, double>> ssn_evaluate_map(
    const std::vector<SSNVideoScores>& results, const std::vector<SSNVideoGroundTruth>& videos,
    const SSNEvaluateOptions& options = {});

}  // namespace tubelet
