#include "tubelet/data/pose/uniform_sample_frames.h"

#include <numeric>
#include <random>
#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

UniformSampleFrames::UniformSampleFrames(UniformSampleFramesOptions options) : options_(options) {}

// One clip of clip_len indices from num_frames frames (the three cases of MMAction2).
std::vector<int64_t> UniformSampleFrames::clip(int64_t num_frames, NumpyRandom& random) const {
  const int64_t len = options_.clip_len;
  std::vector<int64_t> inds(static_cast<size_t>(len));
  if (num_frames < 2 * len) {  // clip_len <= num_frames < 2 * clip_len
    // Each of the clip_len + 1 gaps gets at most one extra frame: offsets are a cumsum.
    std::vector<int64_t> chosen = random.choice_without_replacement(len + 1, num_frames - len);
    std::vector<int64_t> offset(static_cast<size_t>(len + 1), 0);
    for (int64_t c : chosen) offset[static_cast<size_t>(c)] = 1;
    int64_t sum = 0;
    for (int64_t i = 0; i < len; ++i) {
      sum += offset[static_cast<size_t>(i)];
      inds[static_cast<size_t>(i)] = i + sum;
    }
    return inds;
  }
  // Segment i is [i * n // len, (i + 1) * n // len): one uniform frame of each, drawn in
  // order (np.random.randint(bsize) on the array of segment sizes).
  for (int64_t i = 0; i < len; ++i) {
    const int64_t start = i * num_frames / len, end = (i + 1) * num_frames / len;
    inds[static_cast<size_t>(i)] = start + random.randint(0, end - start);
  }
  return inds;
}

std::vector<int64_t> UniformSampleFrames::train_clips(int64_t num_frames,
                                                      NumpyRandom& random) const {
  const int64_t len = options_.clip_len;
  if (num_frames < len) {
    const int64_t start = random.randint(0, num_frames);
    std::vector<int64_t> inds(static_cast<size_t>(len));
    std::iota(inds.begin(), inds.end(), start);
    return inds;
  }
  return clip(num_frames, random);
}

std::vector<int64_t> UniformSampleFrames::test_clips(int64_t num_frames) const {
  NumpyRandom random = NumpyRandom::seeded(static_cast<uint32_t>(options_.seed));
  const int64_t len = options_.clip_len, clips = options_.num_clips;
  std::vector<int64_t> inds;
  if (num_frames < len) {
    for (int64_t i = 0; i < clips; ++i) {
      const int64_t start = num_frames < clips ? i : i * num_frames / clips;
      for (int64_t k = 0; k < len; ++k) inds.push_back(start + k);
    }
    return inds;
  }
  for (int64_t i = 0; i < clips; ++i) {
    std::vector<int64_t> one = clip(num_frames, random);
    inds.insert(inds.end(), one.begin(), one.end());
  }
  return inds;
}

void UniformSampleFrames::apply(Sample& sample) {
  const int64_t num_frames = sample.need("total_frames", type()).as_int();
  if (num_frames <= 0)
    throw std::invalid_argument("UniformSampleFrames: total_frames is " +
                                std::to_string(num_frames) + ", it must be positive");
  const int64_t start_index = sample.need("start_index", type()).as_int();
  std::vector<int64_t> inds;
  if (options_.test_mode) {
    inds = test_clips(num_frames);
  } else {
    NumpyRandom random([&sample] { return static_cast<uint32_t>(sample.rng() >> 32); });
    inds = train_clips(num_frames, random);
  }
  for (int64_t& i : inds) i = i % num_frames + start_index;  // np.mod of non-negatives
  sample.info.set("frame_inds", transforms::int_list(inds));
  sample.info.set("clip_len", Value(options_.clip_len));
  sample.info.set("frame_interval", Value());
  sample.info.set("num_clips", Value(options_.num_clips));
}

std::shared_ptr<Transform> UniformSampleFrames::from_config(Args& args) {
  UniformSampleFramesOptions o;
  o.clip_len = args.required<int64_t>("clip_len");
  o.num_clips = args.get<int64_t>("num_clips", 1);
  o.test_mode = args.get("test_mode", false);
  o.seed = args.get<int64_t>("seed", 255);
  if (o.clip_len <= 0) throw args.error("clip_len", "clip_len must be positive");
  if (o.num_clips <= 0) throw args.error("num_clips", "num_clips must be positive");
  if (!o.test_mode && o.num_clips != 1)
    throw args.error("num_clips",
                     "num_clips must be 1 in training (test_mode=False), as "
                     "MMAction2 asserts");
  if (o.seed < 0 || o.seed > 0xFFFFFFFFll)
    throw args.error("seed", "Seed must be between 0 and 2**32 - 1");
  return std::make_shared<UniformSampleFrames>(o);
}

TUBELET_REGISTER(PIPELINES, UniformSampleFrames, UniformSampleFrames::from_config);

}  // namespace tubelet
