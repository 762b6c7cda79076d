#include "tubelet/localization/soft_nms.h"

#include <algorithm>
#include <cmath>

#include "tubelet/localization/temporal_overlap.h"

namespace tubelet {

template <class T>
void sort_by_score_descending(std::vector<ScoredSegment<T>>& proposals) {
  std::stable_sort(
      proposals.begin(), proposals.end(),
      [](const ScoredSegment<T>& a, const ScoredSegment<T>& b) { return a.score < b.score; });
  std::reverse(proposals.begin(), proposals.end());
}

namespace {

// np.argmax: the first of the largest scores.
template <class T>
size_t first_max(const std::vector<ScoredSegment<T>>& proposals) {
  size_t best = 0;
  for (size_t i = 1; i < proposals.size(); ++i)
    if (proposals[i].score > proposals[best].score) best = i;
  return best;
}

}  // namespace

template <class T>
std::vector<ScoredSegment<T>> soft_nms(std::vector<ScoredSegment<T>> proposals,
                                       const SoftNmsOptions& o) {
  sort_by_score_descending(proposals);
  std::vector<ScoredSegment<T>> kept;
  while (!proposals.empty() && static_cast<int64_t>(kept.size()) <= o.top_k) {
    const size_t m = first_max(proposals);
    const ScoredSegment<T> best = proposals[m];
    // Python scalars: the threshold is computed in double whatever T is.
    const double limit =
        o.low_threshold + (o.high_threshold - o.low_threshold) * double(best.end - best.start);
    for (size_t i = 0; i < proposals.size(); ++i) {
      if (i == m) continue;
      const T iou = temporal_iou<T>(best.start, best.end, proposals[i].start, proposals[i].end);
      if (double(iou) > limit)
        proposals[i].score = proposals[i].score * T(std::exp(-(iou * iou) / T(o.alpha)));
    }
    kept.push_back(best);
    proposals.erase(proposals.begin() + static_cast<std::ptrdiff_t>(m));
  }
  return kept;
}

template std::vector<ScoredSegment<float>> soft_nms(std::vector<ScoredSegment<float>>,
                                                    const SoftNmsOptions&);
template std::vector<ScoredSegment<double>> soft_nms(std::vector<ScoredSegment<double>>,
                                                     const SoftNmsOptions&);
template void sort_by_score_descending(std::vector<ScoredSegment<float>>&);
template void sort_by_score_descending(std::vector<ScoredSegment<double>>&);

}  // namespace tubelet
