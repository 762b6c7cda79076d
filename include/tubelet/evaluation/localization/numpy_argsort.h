// numpy's argsort (kind='quicksort', numpy <= 1.24 without SIMD sorting): an introsort whose
// order among equal values is not stable but is fixed by the algorithm. MMAction2 takes
// `argsort()[::-1]` of proposal scores and IoUs, so which of several equal-score proposals
// counts first follows from it.
#pragma once

#include <cstddef>
#include <vector>

namespace tubelet {

// Indices that sort `values` ascending (NaN last), in numpy's order.
std::vector<size_t> numpy_argsort(const std::vector<double>& values);

}  // namespace tubelet
