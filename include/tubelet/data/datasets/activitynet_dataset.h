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
  // AR@AN over proposals belongs to the localization work: a clear error until then.
  Dict evaluate(const torch::Tensor& results, const std::vector<std::string>& metrics,
                const Dict& metric_options) const override;

 protected:
  std::vector<Dict> load_annotations() const override;
  Sample prepare(int64_t index) const override;
  std::string type_name() const override { return "ActivityNetDataset"; }
};

}  // namespace tubelet
