#include "tubelet/data/localization/generate_localization_labels.h"

#include <algorithm>
#include <stdexcept>

namespace tubelet {

void GenerateLocalizationLabels::apply(Sample& sample) {
  const double video_frame = sample.need("duration_frame", type()).as_float();
  const double video_second = sample.need("duration_second", type()).as_float();
  const double feature_frame = sample.need("feature_frame", type()).as_float();
  // The seconds the features cover: they may stop short of the last frames.
  const double corrected_second = feature_frame / video_frame * video_second;
  const Value& annotations = sample.need("annotations", type());
  std::vector<double> boxes;
  for (const Value& annotation : annotations.as_list()) {
    const Value* segment = annotation.as_dict().find("segment");
    if (!segment || !segment->is_sequence() || segment->as_list().size() < 2)
      throw std::invalid_argument("an annotation of video " +
                                  repr(sample.need("video_name", type())) +
                                  " has no [start, end] segment");
    for (int i = 0; i < 2; ++i)
      boxes.push_back(
          std::max(std::min(1.0, segment->as_list()[i].as_float() / corrected_second), 0.0));
  }
  const int64_t n = static_cast<int64_t>(boxes.size() / 2);
  sample.set_tensor("gt_bbox", torch::tensor(boxes, torch::kDouble).reshape({n, 2}));
}

std::shared_ptr<Transform> GenerateLocalizationLabels::from_config(Args&) {
  return std::make_shared<GenerateLocalizationLabels>();
}

TUBELET_REGISTER(PIPELINES, GenerateLocalizationLabels, GenerateLocalizationLabels::from_config);

}  // namespace tubelet
