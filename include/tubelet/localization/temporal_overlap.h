// MMAction2's temporal_iou and temporal_iop between a proposal [pmin, pmax] and a ground
// truth [gmin, gmax]. The operations follow MMAction2's order so that float and double
// results are bit-identical to NumPy's in the same precision.
#pragma once

#include <algorithm>

namespace tubelet {

// Intersection over union; a zero union gives NaN or inf, as NumPy's division does.
template <class T>
T temporal_iou(T pmin, T pmax, T gmin, T gmax) {
  const T length = pmax - pmin;
  const T inter = std::max(std::min(pmax, gmax) - std::max(pmin, gmin), T(0));
  const T union_length = length - inter + gmax - gmin;
  return inter / union_length;
}

// Intersection over the proposal's length.
template <class T>
T temporal_iop(T pmin, T pmax, T gmin, T gmax) {
  const T inter = std::max(std::min(pmax, gmax) - std::max(pmin, gmin), T(0));
  return inter / (pmax - pmin);
}

}  // namespace tubelet
