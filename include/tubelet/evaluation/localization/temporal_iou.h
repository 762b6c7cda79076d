// MMAction2's pairwise_temporal_iou (core/evaluation/accuracy.py): intersection over union of
// every candidate segment with every target segment.
#pragma once

#include <vector>

#include "tubelet/evaluation/localization/instances.h"

namespace tubelet {

// The arithmetic MMAction2's callers give it: AR@AN casts segments to float32 first, the
// detection mAP keeps float64. The ratio is always stored as float32 (its t_iou array is).
enum class SegmentPrecision { kFloat64, kFloat32 };

struct TemporalOverlap {
  // [target][candidate]: targets x candidates, as MMAction2's t_iou[n, m].
  std::vector<std::vector<float>> iou;
  // intersection / candidate length, same layout (only when asked for).
  std::vector<std::vector<float>> overlap_self;
};

TemporalOverlap pairwise_temporal_iou(const std::vector<TemporalSegment>& candidates,
                                      const std::vector<TemporalSegment>& targets,
                                      SegmentPrecision precision = SegmentPrecision::kFloat64,
                                      bool calculate_overlap_self = false);

}  // namespace tubelet
