// Reading MMAction2's ActivityNet localization files: the per-video annotation JSON
// (anet_anno_*.json: {"v_ID": {"annotations": [{"segment": [t0, t1], "label": L}], ...}}),
// result files ({"results": {"ID": [{"segment", "score", "label"?}]}}) and a localizer's test
// records ({"video_name": "v_ID", "proposal_list": [...]}); and proposals2json.
#pragma once

#include <string>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/evaluation/localization/instances.h"

namespace tubelet {

// `where` names the source (a file) in errors, together with the video. Video ids drop the
// "v_" prefix (activitynet_video_id). A video without 'annotations', or an annotation without
// a two-number 'segment', is an error.
std::vector<VideoGroundTruth> import_activitynet_ground_truth(const Value& database,
                                                              const std::string& where);
// The same from one ground-truth entry per video, as ActivityNetDataset's video_infos.
std::vector<VideoGroundTruth> import_activitynet_ground_truth(const std::vector<Dict>& infos,
                                                              const std::string& where);

// {"results": {ID: [...]}} (version and external_data allowed); ids are kept as written.
std::vector<VideoProposals> import_activitynet_results(const Value& file, const std::string& where);

// Test records in dataset order; ids drop the "v_" prefix.
std::vector<VideoProposals> import_proposal_records(const List& records, const std::string& where);

// MMAction2's proposals2json: {ID: proposal_list} with ids "v_"-stripped.
Dict proposals_to_json(const List& records, const std::string& where);

// The file's text parsed as JSON; errors name the file.
Value load_json_file(const std::string& path);

}  // namespace tubelet
