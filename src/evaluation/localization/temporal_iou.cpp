#include "tubelet/evaluation/localization/temporal_iou.h"

#include <algorithm>

namespace tubelet {

namespace {

// T is the arithmetic of the segment ends; the ratio is formed in float64 and kept as float32,
// as numpy does with `intersection.astype(float) / union` stored into a float32 array.
template <typename T>
TemporalOverlap overlap(const std::vector<TemporalSegment>& candidates,
                        const std::vector<TemporalSegment>& targets, bool with_self) {
  TemporalOverlap out;
  out.iou.assign(targets.size(), std::vector<float>(candidates.size()));
  if (with_self) out.overlap_self.assign(targets.size(), std::vector<float>(candidates.size()));
  for (size_t i = 0; i < candidates.size(); ++i) {
    const T c0 = static_cast<T>(candidates[i][0]), c1 = static_cast<T>(candidates[i][1]);
    for (size_t j = 0; j < targets.size(); ++j) {
      const T t0 = static_cast<T>(targets[j][0]), t1 = static_cast<T>(targets[j][1]);
      const T intersection = std::max<T>(std::min(c1, t1) - std::max(c0, t0), T(0));
      const T uni = ((t1 - t0) + (c1 - c0)) - intersection;
      out.iou[j][i] = static_cast<float>(static_cast<double>(intersection) / uni);
      if (with_self)
        out.overlap_self[j][i] =
            static_cast<float>(static_cast<double>(intersection) / static_cast<double>(c1 - c0));
    }
  }
  return out;
}

}  // namespace

TemporalOverlap pairwise_temporal_iou(const std::vector<TemporalSegment>& candidates,
                                      const std::vector<TemporalSegment>& targets,
                                      SegmentPrecision precision, bool calculate_overlap_self) {
  if (precision == SegmentPrecision::kFloat32)
    return overlap<float>(candidates, targets, calculate_overlap_self);
  return overlap<double>(candidates, targets, calculate_overlap_self);
}

}  // namespace tubelet
