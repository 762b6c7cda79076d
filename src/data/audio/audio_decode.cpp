#include "tubelet/data/audio/audio_decode.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

namespace {

// round((index + 1) / total_frames * length) as MMAction2 computes it (float64, half to even).
int64_t sample_of(int64_t index, int64_t total_frames, int64_t length) {
  const double at = static_cast<double>(index + 1) / static_cast<double>(total_frames) *
                    static_cast<double>(length);
  return static_cast<int64_t>(std::nearbyint(at));
}

// Python's audio[start:end] on `length` samples: negative ends count from the end, both
// clamped into [0, length]. Returns the number of samples taken; `start` is updated.
int64_t python_slice(int64_t& start, int64_t end, int64_t length) {
  if (start < 0) start = std::max<int64_t>(0, start + length);
  if (end < 0) end = std::max<int64_t>(0, end + length);
  start = std::min(start, length);
  end = std::min(end, length);
  return std::max<int64_t>(0, end - start);
}

}  // namespace

AudioDecode::AudioDecode(int64_t fixed_length) : fixed_length_(fixed_length) {
  if (fixed_length_ < 0)
    throw std::invalid_argument("AudioDecode: fixed_length must not be negative");
}

void AudioDecode::apply(Sample& sample) {
  const torch::Tensor* audio = sample.tensor("audios");
  if (!audio) throw std::invalid_argument("AudioDecode: the sample has no 'audios'");
  if (audio->dim() != 1)
    throw std::invalid_argument(
        "AudioDecode: 'audios' must be a 1-D waveform (AudioDecodeInit), "
        "got shape " +
        c10::str(audio->sizes()));
  const List& inds = sample.need("frame_inds", type()).as_list();
  const int64_t clips = sample.need("num_clips", type()).as_int();
  const int64_t total = sample.need("total_frames", type()).as_int();
  const int64_t length = sample.need("length", type()).as_int();
  const auto n = static_cast<int64_t>(inds.size());
  if (clips <= 0 || n == 0 || n % clips != 0)
    throw std::invalid_argument("AudioDecode: " + std::to_string(n) +
                                " frame_inds do not split into " + std::to_string(clips) +
                                " clips");
  if (total == 0) throw std::invalid_argument("AudioDecode: total_frames is 0");
  const int64_t per_clip = n / clips;
  const int64_t available = audio->size(0);
  torch::Tensor out = torch::zeros({clips, fixed_length_}, audio->options());
  for (int64_t c = 0; c < clips; ++c) {
    const int64_t first = inds[static_cast<size_t>(c * per_clip)].as_int();
    const int64_t last = inds[static_cast<size_t>((c + 1) * per_clip - 1)].as_int();
    int64_t start = std::max<int64_t>(0, sample_of(first, total, length));
    const int64_t end = std::min(length, sample_of(last, total, length));
    const int64_t taken = std::min(python_slice(start, end, available), fixed_length_);
    if (taken > 0) out[c].narrow(0, 0, taken).copy_(audio->narrow(0, start, taken));
  }
  sample.info.set("audios_shape", transforms::int_tuple(out.sizes().vec()));
  sample.set_tensor("audios", out);
}

std::shared_ptr<Transform> AudioDecode::from_config(Args& args) {
  const auto fixed_length = args.get<int64_t>("fixed_length", 32000);
  if (fixed_length < 0) throw args.error("fixed_length", "fixed_length must not be negative");
  return std::make_shared<AudioDecode>(fixed_length);
}

TUBELET_REGISTER(PIPELINES, AudioDecode, AudioDecode::from_config);

}  // namespace tubelet
