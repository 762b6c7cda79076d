#include "tubelet/data/sampling/untrimmed_sample_frames.h"

#include <algorithm>
#include <iostream>
#include <stdexcept>

namespace tubelet {

UntrimmedSampleFrames::UntrimmedSampleFrames(int64_t clip_len, int64_t frame_interval)
    : clip_len_(clip_len), frame_interval_(frame_interval) {}

void UntrimmedSampleFrames::apply(Sample& sample) {
  const int64_t total = sample.need("total_frames", type()).as_int();
  const int64_t start = sample.need("start_index", type()).as_int();
  if (total <= frame_interval_ / 2)
    throw std::invalid_argument("UntrimmedSampleFrames: " + std::to_string(total) +
                                " frames hold no clip centre (the first is frame " +
                                std::to_string(frame_interval_ / 2) + ")");
  List inds;
  int64_t clips = 0;
  for (int64_t centre = frame_interval_ / 2; centre < total; centre += frame_interval_, ++clips)
    for (int64_t j = -(clip_len_ / 2); j < clip_len_ - clip_len_ / 2; ++j)
      inds.emplace_back(std::clamp<int64_t>(centre + j, 0, total - 1) + start);
  sample.info.set("frame_inds", Value::list(std::move(inds)));
  sample.info.set("clip_len", Value(clip_len_));
  sample.info.set("frame_interval", Value(frame_interval_));
  sample.info.set("num_clips", Value(clips));
}

std::shared_ptr<Transform> UntrimmedSampleFrames::from_config(Args& args) {
  const int64_t clip_len = args.get<int64_t>("clip_len", 1);
  const int64_t frame_interval = args.get<int64_t>("frame_interval", 16);
  if (!args.get<Value>("start_index", Value()).is_none())
    std::cerr << "Warning: " << args.module() << " (" << args.where()
              << "): start_index is no longer supported here; it is set by the dataset\n";
  if (clip_len <= 0 || frame_interval <= 0)
    throw args.error("clip_len", "clip_len and frame_interval must be positive");
  return std::make_shared<UntrimmedSampleFrames>(clip_len, frame_interval);
}

TUBELET_REGISTER(PIPELINES, UntrimmedSampleFrames, UntrimmedSampleFrames::from_config);

}  // namespace tubelet
