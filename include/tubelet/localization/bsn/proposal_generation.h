// BSN's proposal generation stage between the TEM and the PEM, as MMAction2's
// tools/misc/bsn_proposal_generation.py runs it: for every video of an annotation file, read
// the TEM's result CSV, write candidate proposals (CSV) and then their BSP features (.npy),
// which LoadProposals reads for the PEM.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/localization/bsn/bsp_feature.h"
#include "tubelet/localization/bsn/candidate_proposals.h"

namespace tubelet::bsn {

// Where the stage reads and writes, and how many worker threads it uses.
struct ProposalGenerationPaths {
  std::string ann_file;         // the videos to process (ActivityNet-style JSON)
  std::string tem_results_dir;  // <video>.csv: action,start,end,tmin,tmax
  std::string pgm_proposals_dir;
  std::string pgm_features_dir;
};

// Writes pgm_proposals_dir/<video>.csv for every video of `infos` (video_infos.h), with
// `threads` workers; `progress`, if given, gets mmcv's progress bar. Returns the number of
// proposals written. Errors name the file and the video.
int64_t generate_proposals(const std::vector<Dict>& infos, const ProposalGenerationPaths& paths,
                           const CandidateProposalsOptions& options, int64_t threads,
                           std::ostream* progress);

// Writes pgm_features_dir/<video>.npy (float64 [proposals, feature_dim]) for every video,
// from its TEM results and the proposal CSV generate_proposals wrote.
void generate_features(const std::vector<Dict>& infos, const ProposalGenerationPaths& paths,
                       const BspFeatureOptions& options, int64_t threads, std::ostream* progress);

struct ProposalGenerationSummary {
  int64_t videos = 0;
  int64_t proposals = 0;
};

// The whole stage from a PGM config (tem_results_dir, pgm_proposals_dir, pgm_features_dir,
// ann_file_train / ann_file_val, pgm_proposals_cfg, pgm_features_train_cfg /
// pgm_features_test_cfg). mode "train" processes ann_file_train with pgm_features_train_cfg,
// "test" ann_file_val with pgm_features_test_cfg, as MMAction2's tool does. `log` (if given)
// gets the tool's messages and progress bars.
ProposalGenerationSummary run_proposal_generation(const Dict& cfg, const std::string& mode,
                                                  std::ostream* log);

}  // namespace tubelet::bsn
