#include "tubelet/data/audio/audio_feature_selector.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

namespace {

// The feature row of frame `index` as MMAction2 maps it: round((index + 1) / total * length).
int64_t row_of(int64_t index, int64_t total_frames, int64_t length) {
  double r = static_cast<double>(index + 1) / static_cast<double>(total_frames) *
             static_cast<double>(length);
  return static_cast<int64_t>(std::nearbyint(r));  // half to even, as Python's round
}

}  // namespace

AudioFeatureSelector::AudioFeatureSelector(int64_t fixed_length) : fixed_length_(fixed_length) {
  if (fixed_length_ < 0)
    throw std::invalid_argument("AudioFeatureSelector: fixed_length must not be negative");
}

void AudioFeatureSelector::apply(Sample& sample) {
  const torch::Tensor* audio = sample.tensor("audios");
  if (!audio) throw std::invalid_argument("AudioFeatureSelector: the sample has no 'audios'");
  if (audio->dim() != 2)
    throw std::invalid_argument("AudioFeatureSelector: 'audios' must be [length, F], got " +
                                c10::str(audio->sizes()));
  const List& inds = sample.need("frame_inds", type()).as_list();
  const int64_t clips = sample.need("num_clips", type()).as_int();
  const int64_t total = sample.need("total_frames", type()).as_int();
  const int64_t length = sample.need("length", type()).as_int();
  const int64_t n = static_cast<int64_t>(inds.size());
  if (clips <= 0 || n == 0 || n % clips != 0)
    throw std::invalid_argument("AudioFeatureSelector: " + std::to_string(n) +
                                " frame_inds do not split into " + std::to_string(clips) +
                                " clips");
  if (total == 0) throw std::invalid_argument("AudioFeatureSelector: total_frames is 0");
  const int64_t per_clip = n / clips;
  torch::Tensor out = torch::zeros({clips, fixed_length_, audio->size(1)}, audio->options());
  for (int64_t c = 0; c < clips; ++c) {
    int64_t first = inds[static_cast<size_t>(c * per_clip)].as_int();
    int64_t last = inds[static_cast<size_t>((c + 1) * per_clip - 1)].as_int();
    int64_t start = std::max<int64_t>(0, row_of(first, total, length));
    int64_t end = std::min(length, row_of(last, total, length));
    start = std::min(start, length);  // numpy slicing clamps
    int64_t rows = std::min(std::max<int64_t>(0, end - start), fixed_length_);
    if (rows > 0) out[c].narrow(0, 0, rows).copy_(audio->narrow(0, start, rows));
  }
  sample.info.set("audios_shape", transforms::int_tuple(out.sizes().vec()));
  sample.set_tensor("audios", out);
}

std::shared_ptr<Transform> AudioFeatureSelector::from_config(Args& args) {
  int64_t fixed_length = args.get<int64_t>("fixed_length", 128);
  if (fixed_length < 0) throw args.error("fixed_length", "fixed_length must not be negative");
  return std::make_shared<AudioFeatureSelector>(fixed_length);
}

TUBELET_REGISTER(PIPELINES, AudioFeatureSelector, AudioFeatureSelector::from_config);

}  // namespace tubelet
