// MMAction2's localizer post_processing: soft-NMS over a video's scored proposals (in
// [0, 1] of the feature span), then the best post_process_top_k as its proposal_list
// [{"score": s, "segment": [t0, t1]}] in seconds.
#pragma once

#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/localization/soft_nms.h"

namespace tubelet {

struct ProposalPostProcessOptions {
  SoftNmsOptions soft_nms;  // soft_nms.top_k is post_process_top_k
  int64_t feature_extraction_interval = 16;
};

// The seconds the features cover: duration_frame rounded down to a multiple of the feature
// extraction interval, as a share of duration_second. Throws when video_info lacks a key.
double feature_covered_seconds(const Dict& video_info, int64_t feature_extraction_interval);

template <class T>
List post_process_proposals(std::vector<ScoredSegment<T>> proposals, const Dict& video_info,
                            const ProposalPostProcessOptions& options);

}  // namespace tubelet
