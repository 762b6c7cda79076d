#include "tubelet/data/pose/padding_with_loop.h"

#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

void PaddingWithLoop::apply(Sample& sample) {
  const int64_t num_frames = sample.need("total_frames", type()).as_int();
  if (num_frames <= 0)
    throw std::invalid_argument("PaddingWithLoop: total_frames is " + std::to_string(num_frames) +
                                ", it must be positive");
  std::vector<int64_t> inds(static_cast<size_t>(clip_len_));
  for (int64_t i = 0; i < clip_len_; ++i) inds[static_cast<size_t>(i)] = i % num_frames;
  sample.info.set("frame_inds", transforms::int_list(inds));
  sample.info.set("clip_len", Value(clip_len_));
  sample.info.set("frame_interval", Value());
  sample.info.set("num_clips", Value(num_clips_));
}

std::shared_ptr<Transform> PaddingWithLoop::from_config(Args& args) {
  const auto clip_len = args.required<int64_t>("clip_len");
  const auto num_clips = args.get<int64_t>("num_clips", 1);
  if (clip_len <= 0) throw args.error("clip_len", "clip_len must be positive");
  if (num_clips <= 0) throw args.error("num_clips", "num_clips must be positive");
  return std::make_shared<PaddingWithLoop>(clip_len, num_clips);
}

TUBELET_REGISTER(PIPELINES, PaddingWithLoop, PaddingWithLoop::from_config);

}  // namespace tubelet
