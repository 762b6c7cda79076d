// MMAction2's ActivityNetLocalization (core/evaluation/eval_detection.py): detection mAP on
// ActivityNet, per class and temporal IoU threshold, then averaged.
#pragma once

#include <string>
#include <vector>

#include "tubelet/evaluation/localization/instances.h"

namespace tubelet {

struct DetectionMapResult {
  std::vector<std::string> classes;     // in order of first appearance in the ground truth
  std::vector<std::vector<double>> ap;  // [threshold][class]
  std::vector<double> map;              // per threshold, the mean over classes
  double average_map = 0;               // the mean of `map`
};

// Every ground-truth instance and every detection needs a label; a detection whose label the
// ground truth does not have is an error (MMAction2: KeyError), as is a detection for a video
// the ground truth lacks (MMAction2 counts it as a false positive: `unknown_video_is_error`
// false does the same).
DetectionMapResult activitynet_detection_map(const std::vector<VideoGroundTruth>& ground_truth,
                                             const std::vector<VideoProposals>& detections,
                                             const std::vector<double>& tiou_thresholds,
                                             bool unknown_video_is_error = true);

}  // namespace tubelet
