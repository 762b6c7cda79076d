// The interpolated average precision of temporal detections (core/evaluation/accuracy.py
// interpolated_precision_recall and eval_detection.py compute_average_precision_detection).
#pragma once

#include <vector>

#include "tubelet/evaluation/localization/instances.h"

namespace tubelet {

// VOCdevkit 2011's interpolated AP of a precision/recall sequence.
double interpolated_precision_recall(const std::vector<double>& precision,
                                     const std::vector<double>& recall);

// One class's AP at each threshold: detections matched greedily by decreasing score (ties in
// input order) to the not yet matched ground truth of highest IoU in the same video.
// Labels are ignored here: pass one class's instances.
std::vector<double> compute_average_precision_detection(
    const std::vector<VideoGroundTruth>& ground_truth,
    const std::vector<VideoProposals>& detections, const std::vector<double>& tiou_thresholds);

}  // namespace tubelet
