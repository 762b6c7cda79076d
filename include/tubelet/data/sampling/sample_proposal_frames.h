// The frame-index arithmetic of MMAction2's SampleProposalFrames (SSN): per proposal, the
// starting (augmented before), course (body) and ending (augmented after) segments; in test
// mode every test_interval-th frame. NOT yet a registered pipeline step: SSNDataset's
// proposal sampling (out_proposals) is not implemented, so nothing feeds it.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tubelet {

struct SampleProposalFramesOptions {
  int64_t clip_len = 1;
  int64_t body_segments = 5;
  std::array<int64_t, 2> aug_segments{2, 2};
  std::array<double, 2> aug_ratio{0.5, 0.5};
  int64_t frame_interval = 1;
  int64_t test_interval = 6;
  std::string mode = "train";  // "train", "val" or "test"
};

// _get_train_indices: segment k starts at k * avg + randint(avg), avg = (valid_length + 1) //
// num_segments; all zeros when avg <= 0.
std::vector<int64_t> ssn_train_segment_offsets(int64_t valid_length, int64_t num_segments,
                                               std::mt19937_64& rng);
// _get_val_indices: int(k * avg + avg / 2), avg = valid_length / num_segments; zeros when
// valid_length < num_segments.
std::vector<int64_t> ssn_val_segment_offsets(int64_t valid_length, int64_t num_segments);
// _get_proposal_clips for a proposal [start_frame, end_frame) ('train' or 'val' mode):
// aug_segments[0] + body_segments + aug_segments[1] clip starts.
std::vector<int64_t> ssn_proposal_clip_offsets(const SampleProposalFramesOptions& o,
                                               int64_t start_frame, int64_t end_frame,
                                               int64_t num_frames, std::mt19937_64& rng);
// _get_test_clips: arange(0, num_frames - clip_len * frame_interval, test_interval).
std::vector<int64_t> ssn_test_clip_offsets(const SampleProposalFramesOptions& o,
                                           int64_t num_frames);
// __call__'s frame_inds (without temporal_jitter): each clip's clip_len frames, modulo
// total_frames, plus start_index.
std::vector<int64_t> ssn_frame_inds(const SampleProposalFramesOptions& o,
                                    const std::vector<int64_t>& clip_offsets, int64_t total_frames,
                                    int64_t start_index);

}  // namespace tubelet
