// The ActivityNet-style annotation files BSN's proposal generation reads: a JSON object of
// videos by name, each with duration_second, duration_frame, feature_frame and annotations
// ([{segment: [start, end] in seconds, label}]), as MMAction2's load_video_infos reads them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet::bsn {

// Each video's entry plus video_name, in file order; a file that is not a JSON object of
// objects is an error naming it.
std::vector<Dict> load_video_infos(const std::string& ann_file);

// A video's ground-truth segments as fractions of the time its features cover
// (segment / (feature_frame / duration_frame * duration_second)), unclipped as MMAction2's
// generate_candidate_proposals uses them. `where` (the annotation file) goes into errors,
// with the video's name; a video without segments is an error, since every proposal is
// matched against them.
std::vector<std::pair<double, double>> feature_time_segments(const Dict& info,
                                                             const std::string& where);

}  // namespace tubelet::bsn
