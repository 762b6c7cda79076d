#include "tubelet/data/sampling/sample_proposal_frames.h"

#include <algorithm>
#include <stdexcept>

namespace tubelet {

std::vector<int64_t> ssn_train_segment_offsets(int64_t valid_length, int64_t num_segments,
                                               std::mt19937_64& rng) {
  if (num_segments < 1)
    throw std::invalid_argument("SampleProposalFrames: segment counts must be positive");
  // Python's floor division; only its sign matters for the test below.
  const int64_t num = valid_length + 1;
  int64_t avg = num / num_segments;
  if (num % num_segments != 0 && ((num < 0) != (num_segments < 0))) --avg;
  std::vector<int64_t> out(static_cast<size_t>(num_segments), 0);
  if (avg > 0)
    for (int64_t k = 0; k < num_segments; ++k)
      out[k] = k * avg + std::uniform_int_distribution<int64_t>(0, avg - 1)(rng);
  return out;
}

std::vector<int64_t> ssn_val_segment_offsets(int64_t valid_length, int64_t num_segments) {
  if (num_segments < 1)
    throw std::invalid_argument("SampleProposalFrames: segment counts must be positive");
  std::vector<int64_t> out(static_cast<size_t>(num_segments), 0);
  if (valid_length >= num_segments) {
    const double avg = static_cast<double>(valid_length) / static_cast<double>(num_segments);
    for (int64_t k = 0; k < num_segments; ++k)
      out[k] = static_cast<int64_t>(static_cast<double>(k) * avg + avg / 2.0);
  }
  return out;
}

std::vector<int64_t> ssn_proposal_clip_offsets(const SampleProposalFramesOptions& o,
                                               int64_t start_frame, int64_t end_frame,
                                               int64_t num_frames, std::mt19937_64& rng) {
  if (o.mode != "train" && o.mode != "val")
    throw std::invalid_argument(
        "SampleProposalFrames: proposal clips need mode 'train' or "
        "'val', not '" +
        o.mode + "'");
  const int64_t ori_clip_len = o.clip_len * o.frame_interval;
  const int64_t duration = end_frame - start_frame;
  if (duration == 0)
    throw std::invalid_argument("SampleProposalFrames: a proposal of zero duration at frame " +
                                std::to_string(start_frame));
  const int64_t valid_length = duration - ori_clip_len;
  const int64_t valid_starting =
      std::max<int64_t>(0, start_frame - static_cast<int64_t>(double(duration) * o.aug_ratio[0]));
  const int64_t valid_ending =
      std::min(num_frames - ori_clip_len + 1,
               end_frame - 1 + static_cast<int64_t>(double(duration) * o.aug_ratio[1]));
  const int64_t valid_starting_length = start_frame - valid_starting - ori_clip_len;
  const int64_t valid_ending_length = (valid_ending - end_frame + 1) - ori_clip_len;
  const bool train = o.mode == "train";
  auto offsets = [&](int64_t length, int64_t segments) {
    return train ? ssn_train_segment_offsets(length, segments, rng)
                 : ssn_val_segment_offsets(length, segments);
  };
  std::vector<int64_t> starting = offsets(valid_starting_length, o.aug_segments[0]);
  std::vector<int64_t> course = offsets(valid_length, o.body_segments);
  std::vector<int64_t> ending = offsets(valid_ending_length, o.aug_segments[1]);
  std::vector<int64_t> out;
  for (int64_t s : starting) out.push_back(s + valid_starting);
  for (int64_t s : course) out.push_back(s + start_frame);
  for (int64_t s : ending) out.push_back(s + end_frame);
  return out;
}

std::vector<int64_t> ssn_test_clip_offsets(const SampleProposalFramesOptions& o,
                                           int64_t num_frames) {
  if (o.test_interval < 1)
    throw std::invalid_argument("SampleProposalFrames: test_interval must be positive");
  std::vector<int64_t> out;
  for (int64_t i = 0; i < num_frames - o.clip_len * o.frame_interval; i += o.test_interval)
    out.push_back(i);
  return out;
}

std::vector<int64_t> ssn_frame_inds(const SampleProposalFramesOptions& o,
                                    const std::vector<int64_t>& clip_offsets, int64_t total_frames,
                                    int64_t start_index) {
  if (total_frames < 1)
    throw std::invalid_argument("SampleProposalFrames: total_frames must be positive");
  std::vector<int64_t> out;
  for (int64_t offset : clip_offsets)
    for (int64_t j = 0; j < o.clip_len; ++j) {
      int64_t f = (offset + j * o.frame_interval) % total_frames;  // np.mod: non-negative
      if (f < 0) f += total_frames;
      out.push_back(f + start_index);
    }
  return out;
}

}  // namespace tubelet
