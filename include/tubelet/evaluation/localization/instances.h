// Temporal instances as MMAction2's localization evaluation holds them: ground-truth segments
// and scored proposals (or labelled detections), grouped per video id in file order.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace tubelet {

// [t_start, t_end] in seconds.
using TemporalSegment = std::array<double, 2>;

struct GroundTruthInstance {
  TemporalSegment segment{};
  std::optional<std::string> label;  // AR@AN does not need it; detection mAP does
};

struct VideoGroundTruth {
  std::string video_id;
  std::vector<GroundTruthInstance> instances;
};

struct ProposalInstance {
  TemporalSegment segment{};
  double score = 0;
  std::optional<std::string> label;  // only detections carry one
};

struct VideoProposals {
  std::string video_id;
  std::vector<ProposalInstance> proposals;
};

// MMAction2's video ids: the name with its first two characters ("v_") dropped, as Python's
// name[2:] does it (shorter names give "").
std::string activitynet_video_id(const std::string& video_name);

}  // namespace tubelet
