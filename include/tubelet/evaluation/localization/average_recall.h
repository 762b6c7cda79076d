// MMAction2's average_recall_at_avg_proposals (core/evaluation/accuracy.py): recall at each
// temporal IoU threshold against the average number of proposals per video (AR@AN), and the
// area under that curve.
#pragma once

#include <optional>
#include <vector>

#include "tubelet/evaluation/localization/instances.h"

namespace tubelet {

struct AverageRecallResult {
  // recall[threshold][k]: at the k+1-th percent of max_avg_proposals proposals per video.
  std::vector<std::vector<double>> recall;
  std::vector<double> average_recall;       // recall averaged over the thresholds
  std::vector<double> proposals_per_video;  // the x of the AR@AN curve
  double auc = 0;                           // in percent of the largest x
};

// Every ground-truth video needs proposals (an empty list counts as none retrieved) and at
// least one instance; proposals for a video the ground truth lacks are an error (MMAction2
// would count them silently). max_avg_proposals unset or 0: the overall average.
// Among proposals of equal score the cut follows numpy's argsort order (numpy_argsort.h).
AverageRecallResult average_recall_at_avg_proposals(
    const std::vector<VideoGroundTruth>& ground_truth, const std::vector<VideoProposals>& proposals,
    std::optional<double> max_avg_proposals, const std::vector<double>& temporal_iou_thresholds);

// np.linspace(0.5, 0.95, 10): MMAction2's default thresholds.
std::vector<double> default_temporal_iou_thresholds();

}  // namespace tubelet
