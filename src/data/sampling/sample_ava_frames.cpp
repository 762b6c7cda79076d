#include "tubelet/data/sampling/sample_ava_frames.h"

#include <algorithm>
#include <stdexcept>

#include "tubelet/data/sampling/sample_frames.h"

namespace tubelet {

namespace {

int64_t ava_floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace

SampleAVAFrames::SampleAVAFrames(int64_t clip_len, int64_t frame_interval, bool test_mode)
    : clip_len_(clip_len), frame_interval_(frame_interval), test_mode_(test_mode) {
  if (clip_len <= 0)
    throw std::invalid_argument("SampleAVAFrames: clip_len must be positive, got " +
                                std::to_string(clip_len));
  if (frame_interval <= 0)
    throw std::invalid_argument("SampleAVAFrames: frame_interval must be positive, got " +
                                std::to_string(frame_interval));
}

std::vector<int64_t> SampleAVAFrames::clip(int64_t center_index,
                                           const std::vector<int64_t>& skip_offsets,
                                           int64_t shot_begin, int64_t shot_end) const {
  const int64_t start = center_index - (clip_len_ / 2) * frame_interval_;
  std::vector<int64_t> inds;
  for (int64_t i = 0; i < clip_len_; ++i) {
    int64_t x = start + i * frame_interval_;
    if (!test_mode_) x += skip_offsets.at(static_cast<size_t>(i));
    // np.clip(a, lo, hi) is minimum(maximum(a, lo), hi): hi wins when lo > hi.
    inds.push_back(std::min(std::max(x, shot_begin), shot_end - 1));
  }
  return inds;
}

void SampleAVAFrames::apply(Sample& sample) {
  const int64_t fps = sample.need("fps", type()).as_int();
  const int64_t timestamp = sample.need("timestamp", type()).as_int();
  const int64_t timestamp_start = sample.need("timestamp_start", type()).as_int();
  const Value& shot = sample.need("shot_info", type());
  if (!shot.is_sequence() || shot.as_list().size() < 2)
    throw std::invalid_argument("SampleAVAFrames: shot_info must be (start, end)");
  const int64_t center = fps * (timestamp - timestamp_start) + 1;
  const int64_t low = ava_floor_div(-frame_interval_, 2);
  const int64_t high = ava_floor_div(frame_interval_ + 1, 2);
  std::vector<int64_t> offsets;
  for (int64_t i = 0; i < clip_len_; ++i) offsets.push_back(low + random_below(sample, high - low));
  const std::vector<int64_t> inds =
      clip(center, offsets, shot.as_list()[0].as_int(), shot.as_list()[1].as_int());
  const Value* start_index = sample.info.find("start_index");
  const int64_t start = start_index ? start_index->as_int() : 0;
  List frame_inds;
  for (int64_t x : inds) frame_inds.emplace_back(x + start);
  sample.info.set("frame_inds", Value::list(std::move(frame_inds)));
  sample.info.set("clip_len", Value(clip_len_));
  sample.info.set("frame_interval", Value(frame_interval_));
  sample.info.set("num_clips", Value(int64_t{1}));
  sample.info.set("crop_quadruple", Value::list({Value(0.0), Value(0.0), Value(1.0), Value(1.0)}));
}

std::shared_ptr<Transform> SampleAVAFrames::from_config(Args& args) {
  const auto clip_len = args.required<int64_t>("clip_len");
  const auto frame_interval = args.get<int64_t>("frame_interval", 2);
  const bool test_mode = args.get("test_mode", false);
  return std::make_shared<SampleAVAFrames>(clip_len, frame_interval, test_mode);
}

TUBELET_REGISTER(PIPELINES, SampleAVAFrames, SampleAVAFrames::from_config);

}  // namespace tubelet
