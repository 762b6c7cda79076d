// ActivityNetDataset (temporal action localization): a JSON object of videos, each info being
// its entry (duration_second, duration_frame, annotations, feature_frame, fps, rfps) plus
// video_name; samples carry data_prefix (where LoadLocalizationFeature finds the features).
#pragma once

#include "tubelet/data/datasets/base_dataset.h"

namespace tubelet {

class ActivityNetDataset : public BaseDataset {
 public:
  explicit ActivityNetDataset(BaseDatasetOptions options);
  static std::shared_ptr<Dataset> from_config(Args& args);
  // Score rows are not what a localizer gives: an error pointing at evaluate_records.
  Dict evaluate(const torch::Tensor& results, const std::vector<std::string>& metrics,
                const Dict& metric_options) const override;
  // MMAction2's evaluate over proposal records ({"video_name", "proposal_list"} per video in
  // dataset order). 'AR@AN' (the default; metric_options AR@AN: max_avg_proposals = 100,
  // temporal_iou_thresholds = np.linspace(0.5, 0.95, 10)) gives auc, AR@1, AR@5, AR@10,
  // AR@100. 'mAP', which MMAction2's dataset does not offer, is ActivityNetLocalization's
  // detection mAP for records whose proposals carry a 'label' (metric_options mAP:
  // tiou_thresholds): mAP@<threshold> for each and average_mAP.
  Dict evaluate_records(const List& results, const std::vector<std::string>& metrics,
                        const Dict& metric_options) const override;
  // MMAction2's dump_results(results, out, output_format, version='VERSION 1.3'): 'json'
  // writes proposals2json's {"version", "results", "external_data"} to `out`; 'csv' writes
  // each TEM record ({"video_name", "tem_output": rows of action, start, end, tmin, tmax}) to
  // out/<video_name>.csv as np.savetxt does.
  void dump_records(const List& results, const Dict& output_config) const override;

 protected:
  std::vector<Dict> load_annotations() const override;
  Sample prepare(int64_t index) const override;
  std::string type_name() const override { return "ActivityNetDataset"; }
};

}  // namespace tubelet
