// MMAction2's soft_nms for temporal proposals: repeatedly keep the best-scored proposal and
// decay, by exp(-iou^2 / alpha), the scores of the others that overlap it by more than
// low + (high - low) * its width; stops after top_k + 1 proposals, as MMAction2 does.
#pragma once

#include <cstdint>
#include <vector>

namespace tubelet {

template <class T>
struct ScoredSegment {
  T start;
  T end;
  T score;
};

struct SoftNmsOptions {
  double alpha = 0.4;
  double low_threshold = 0.5;
  double high_threshold = 0.9;
  int64_t top_k = 100;
};

// MMAction2 keeps the precision of its proposal array: double for BMN, float for PEM
// (whose inputs are float32). Both instantiations exist.
template <class T>
std::vector<ScoredSegment<T>> soft_nms(std::vector<ScoredSegment<T>> proposals,
                                       const SoftNmsOptions& options);

// NumPy's `rows[scores.argsort()[::-1]]`: descending scores, ties in reverse input order
// (NumPy's sort is stable for the short arrays where ties happen in practice).
template <class T>
void sort_by_score_descending(std::vector<ScoredSegment<T>>& proposals);

}  // namespace tubelet
