#include "tubelet/evaluation/localization/proposal_file_evaluation.h"

#include <stdexcept>

#include "tubelet/evaluation/localization/activitynet_json.h"
#include "tubelet/evaluation/localization/activitynet_localization.h"
#include "tubelet/evaluation/localization/average_recall.h"
#include "tubelet/evaluation/localization/numpy_reductions.h"

namespace tubelet {

Dict evaluate_proposal_files(const std::string& ground_truth, const std::string& results,
                             const ProposalFileEvaluationOptions& options) {
  const auto truth = import_activitynet_ground_truth(load_json_file(ground_truth), ground_truth);
  const auto proposals = import_activitynet_results(load_json_file(results), results);
  const std::vector<double> thresholds = options.temporal_iou_thresholds.empty()
                                             ? default_temporal_iou_thresholds()
                                             : options.temporal_iou_thresholds;
  Dict out;
  try {
    AverageRecallResult r =
        average_recall_at_avg_proposals(truth, proposals, options.max_avg_proposals, thresholds);
    for (size_t an : {1, 5, 10, 100}) {
      std::vector<double> column;
      for (const std::vector<double>& row : r.recall) column.push_back(row[an - 1]);
      out.set("AR@" + std::to_string(an), Value(numpy_mean(column)));
    }
    out.set("AUC", Value(r.auc));
    if (options.detection_map) {
      DetectionMapResult m = activitynet_detection_map(truth, proposals, thresholds);
      List map;
      for (double x : m.map) map.push_back(Value(x));
      out.set("mAP", Value::list(std::move(map)));
      out.set("average_mAP", Value(m.average_map));
    }
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(results + " against " + ground_truth + ": " + e.what());
  }
  return out;
}

}  // namespace tubelet
