#include "tubelet/data/audio/mel_spectrogram.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "tubelet/data/audio/mel_filters.h"
#include "tubelet/data/audio/power_spectrogram.h"

namespace tubelet {

namespace {

// int(round(sample_rate * milliseconds / 1000)): Python's true division, half to even.
int64_t samples_of(int64_t sample_rate, int64_t milliseconds) {
  return static_cast<int64_t>(
      std::nearbyint(static_cast<double>(sample_rate * milliseconds) / 1000.0));
}

}  // namespace

MelSpectrogram::MelSpectrogram(int64_t window_size, int64_t step_size, int64_t n_mels,
                               int64_t fixed_length)
    : window_size_(window_size),
      step_size_(step_size),
      n_mels_(n_mels),
      fixed_length_(fixed_length) {
  if (window_size_ < 1 || step_size_ < 1 || n_mels_ < 1 || fixed_length_ < 1)
    throw std::invalid_argument(
        "MelSpectrogram: window_size, step_size, n_mels and fixed_length must be positive");
}

void MelSpectrogram::check_length(int64_t frames, int64_t n_fft, int64_t hop) const {
  std::string outcome;
  if (n_mels_ > fixed_length_)
    outcome = "drops the top " + std::to_string(n_mels_ - fixed_length_) + " mel bands";
  else if (n_mels_ < fixed_length_ && frames > fixed_length_)
    outcome = "appends " + std::to_string(frames - fixed_length_) +
              " copies of the top mel band to the mel axis";
  else if (n_mels_ < fixed_length_ && frames < fixed_length_)
    outcome = "raises ValueError (np.pad with a negative width, " +
              std::to_string(frames - fixed_length_) + ")";
  if (outcome.empty()) return;
  // The clip length that gives fixed_length frames: 1 + (samples + 2 (n_fft // 2) - n_fft) // hop.
  const int64_t samples = (fixed_length_ - 1) * hop + n_fft - 2 * (n_fft / 2);
  throw std::invalid_argument(
      "MelSpectrogram: a spectrogram of " + std::to_string(n_mels_) + " mels x " +
      std::to_string(frames) + " frames with fixed_length=" + std::to_string(fixed_length_) +
      ": MMAction2 0.24.1 " + outcome +
      " (it compares n_mels, not the frames, with fixed_length); that is not reproduced. "
      "Make the frames equal fixed_length (e.g. AudioDecode(fixed_length=" +
      std::to_string(samples) + ") for " + std::to_string(fixed_length_) +
      " frames) or n_mels equal fixed_length");
}

void MelSpectrogram::apply(Sample& sample) {
  const torch::Tensor* audios = sample.tensor("audios");
  if (!audios) throw std::invalid_argument("MelSpectrogram: the sample has no 'audios'");
  if (audios->dim() != 2)
    throw std::invalid_argument(
        "MelSpectrogram: 'audios' must be [num_clips, samples] "
        "(AudioDecode), got shape " +
        c10::str(audios->sizes()));
  const int64_t sample_rate = sample.need("sample_rate", type()).as_int();
  const int64_t clips = sample.need("num_clips", type()).as_int();
  if (clips > audios->size(0))
    throw std::invalid_argument("MelSpectrogram: num_clips is " + std::to_string(clips) +
                                " but 'audios' holds " + std::to_string(audios->size(0)));
  const int64_t n_fft = samples_of(sample_rate, window_size_);
  const int64_t hop = samples_of(sample_rate, step_size_);
  const torch::Tensor basis =
      audio::mel_filters(static_cast<double>(sample_rate), n_fft, n_mels_).to(torch::kFloat64);
  std::vector<torch::Tensor> mels;
  for (int64_t c = 0; c < clips; ++c) {
    torch::Tensor power = audio::power_spectrogram((*audios)[c], n_fft, hop);  // [bins, frames]
    check_length(power.size(1), n_fft, hop);
    mels.push_back(torch::matmul(basis, power).to(torch::kFloat32));
  }
  sample.set_tensor("audios", torch::stack(mels));
}

std::shared_ptr<Transform> MelSpectrogram::from_config(Args& args) {
  int64_t values[4] = {32, 16, 80, 128};
  const char* names[4] = {"window_size", "step_size", "n_mels", "fixed_length"};
  for (int i = 0; i < 4; ++i) {
    const Value* v = args.find(names[i]);
    if (!v) continue;
    if (!v->is_int())
      throw args.error(names[i], std::string("All arguments should be int (TypeError): ") +
                                     names[i] + " is " + v->type_name() + " " + repr(*v));
    values[i] = v->as_int();
    if (values[i] < 1) throw args.error(names[i], std::string(names[i]) + " must be positive");
  }
  return std::make_shared<MelSpectrogram>(values[0], values[1], values[2], values[3]);
}

TUBELET_REGISTER(PIPELINES, MelSpectrogram, MelSpectrogram::from_config);

}  // namespace tubelet
