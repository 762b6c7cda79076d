// `tubelet eval-proposals`: AR@AN and AUC (and optionally the detection mAP) of an ActivityNet
// result file against a ground-truth annotation file, as MMAction2's ActivityNetDataset
// evaluate and ActivityNetLocalization compute them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet {

struct ProposalFileEvaluationOptions {
  // MMAction2's defaults: 100 and np.linspace(0.5, 0.95, 10). Unset: the overall average
  // number of proposals per video (MMAction2's max_avg_proposals=None).
  std::optional<double> max_avg_proposals = 100.;
  std::vector<double> temporal_iou_thresholds;  // empty: the default
  bool detection_map = false;                   // also "mAP" (per threshold) and "average_mAP"
};

// {"AR@1", "AR@5", "AR@10", "AR@100", "AUC" (percent)} (+ "mAP", "average_mAP").
// ground_truth: {"v_ID": {"annotations": [{"segment", "label"}], ...}}; results:
// {"results": {"ID": [{"segment", "score", "label"?}]}}. Errors name the file and video.
Dict evaluate_proposal_files(const std::string& ground_truth, const std::string& results,
                             const ProposalFileEvaluationOptions& options = {});

}  // namespace tubelet
