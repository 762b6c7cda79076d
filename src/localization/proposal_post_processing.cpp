#include "tubelet/localization/proposal_post_processing.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tubelet {

namespace {

double number_of(const Dict& video_info, const char* key) {
  const Value* v = video_info.find(key);
  if (!v || !v->is_number())
    throw std::invalid_argument(
        std::string("proposal post-processing needs video_meta['") + key +
        "'] (a number) for video " +
        (video_info.find("video_name") ? repr(*video_info.find("video_name")) : std::string("?")));
  return v->as_float();
}

}  // namespace

double feature_covered_seconds(const Dict& video_info, int64_t interval) {
  const double frames = number_of(video_info, "duration_frame");
  const double seconds = number_of(video_info, "duration_second");
  if (interval <= 0)
    throw std::invalid_argument("feature_extraction_interval must be positive, got " +
                                std::to_string(interval));
  // Python's floor division, exact for the integer frame counts of the annotations.
  const double covered = std::floor(frames / double(interval)) * double(interval);
  return covered / frames * seconds;
}

template <class T>
List post_process_proposals(std::vector<ScoredSegment<T>> proposals, const Dict& video_info,
                            const ProposalPostProcessOptions& o) {
  if (proposals.size() > 1) proposals = soft_nms(std::move(proposals), o.soft_nms);
  sort_by_score_descending(proposals);
  const double duration = feature_covered_seconds(video_info, o.feature_extraction_interval);
  const size_t count = std::min<size_t>(static_cast<size_t>(std::max<int64_t>(o.soft_nms.top_k, 0)),
                                        proposals.size());
  List out;
  for (size_t j = 0; j < count; ++j) {
    const ScoredSegment<T>& p = proposals[j];
    Dict proposal;
    proposal.set("score", Value(double(p.score)));
    proposal.set("segment", Value::list({Value(double(std::max(T(0), p.start)) * duration),
                                         Value(double(std::min(T(1), p.end)) * duration)}));
    out.push_back(Value(std::move(proposal)));
  }
  return out;
}

template List post_process_proposals(std::vector<ScoredSegment<float>>, const Dict&,
                                     const ProposalPostProcessOptions&);
template List post_process_proposals(std::vector<ScoredSegment<double>>, const Dict&,
                                     const ProposalPostProcessOptions&);

}  // namespace tubelet
