// The deterministic parts of MMAction2's SSNDataset (datasets/ssn_dataset.py) and of
// localization/ssn_utils.load_localize_proposal_file: the proposal file, SSNInstance and its
// regression targets, the positive / incomplete / background proposal pools, the regression
// normalisation constants and the filter_gt step. The sampling (video-centric sampling,
// SampleProposalFrames) and the registered SSNDataset are NOT implemented yet.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "tubelet/evaluation/ssn/ssn_evaluation.h"

namespace tubelet {

struct SSNInstance {
  SSNInstance() = default;
  // As MMAction2: end_frame is clipped to num_video_frames but coverage uses the unclipped
  // end; label -1 when none.
  SSNInstance(int64_t start_frame, int64_t end_frame, int64_t num_video_frames,
              std::optional<int64_t> label = std::nullopt, double best_iou = 0,
              double overlap_self = 0);

  int64_t start_frame = 0;
  int64_t end_frame = 0;
  int64_t num_video_frames = 0;
  int64_t label = -1;
  double coverage = 0;
  double best_iou = 0;
  double overlap_self = 0;
  std::array<double, 2> regression_targets{0., 0.};  // (loc_reg, size_reg)

  // Against the ground truth of highest IoU (the first of equals): the center shift over the
  // proposal size and log(gt size / proposal size). Throws on an empty list.
  void compute_regression_targets(const std::vector<SSNInstance>& gts);
};

struct SSNVideoInfo {
  std::string frame_dir;  // data_prefix/video_id (video_id when data_prefix is empty)
  std::string video_id;
  int64_t total_frames = 0;
  std::vector<SSNInstance> gts;
  std::vector<SSNInstance> proposals;
};

// load_localize_proposal_file + SSNDataset.load_annotations: groups of lines after each
// '# index' line; num_frames = int(float(line 2) * float(line 3)); gts and proposals whose
// end <= start or whose start >= num_frames are dropped. Malformed files are errors naming the
// file and the video.
std::vector<SSNVideoInfo> load_ssn_proposal_file(const std::string& filename,
                                                 const std::string& data_prefix = "");
// SSNDataset.__init__'s filter: videos without ground truth are dropped when filter_gt or not
// test_mode (MMAction2 fails with filter_gt=False in test mode; so does this, by throwing).
std::vector<SSNVideoInfo> ssn_filter_videos(std::vector<SSNVideoInfo> videos, bool filter_gt,
                                            bool test_mode);

// get_positives: proposals with best_iou > positive_threshold (plus the gts with_gt), each with
// its regression targets against `gts`.
std::vector<SSNInstance> ssn_get_positives(const std::vector<SSNInstance>& gts,
                                           const std::vector<SSNInstance>& proposals,
                                           double positive_threshold, bool with_gt = true);
struct SSNNegatives {
  std::vector<SSNInstance> incompletes;
  std::vector<SSNInstance> backgrounds;
};
SSNNegatives ssn_get_negatives(const std::vector<SSNInstance>& proposals,
                               double incomplete_iou_threshold, double background_iou_threshold,
                               double background_coverage_threshold = 0.01,
                               double incomplete_overlap_threshold = 0.7);

// _compute_reg_normalize_constants: {{mean loc, mean size}, {std loc, std size}} of the
// positives' (without gts) regression targets.
std::array<std::array<double, 2>, 2> ssn_reg_normalize_constants(
    const std::vector<SSNVideoInfo>& videos, double positive_iou_threshold);

// What SSN's evaluation reads of a video (get_all_gts).
SSNVideoGroundTruth ssn_ground_truth_of(const SSNVideoInfo& video);

}  // namespace tubelet
