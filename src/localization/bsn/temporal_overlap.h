// MMAction2's temporal_iou and temporal_iop for one proposal against one ground-truth segment,
// with its order of operations (so results match to the last bit). Private to bsn/ until the
// shared localization helpers land.
#pragma once

#include <algorithm>

namespace tubelet::bsn::detail {

inline double intersection(double pmin, double pmax, double gmin, double gmax) {
  return std::max(std::min(pmax, gmax) - std::max(pmin, gmin), 0.0);
}

inline double temporal_iou(double pmin, double pmax, double gmin, double gmax) {
  const double inter = intersection(pmin, pmax, gmin, gmax);
  return inter / ((pmax - pmin) - inter + gmax - gmin);
}

// Intersection over the proposal's length.
inline double temporal_iop(double pmin, double pmax, double gmin, double gmax) {
  return intersection(pmin, pmax, gmin, gmax) / (pmax - pmin);
}

}  // namespace tubelet::bsn::detail
