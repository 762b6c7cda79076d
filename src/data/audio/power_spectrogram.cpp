#include "tubelet/data/audio/power_spectrogram.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace tubelet::audio {

torch::Tensor periodic_hann(int64_t n) {
  // scipy: general_cosine(n + 1, [0.5, 0.5]) over linspace(-pi, pi, n + 1), last point dropped.
  torch::Tensor w = torch::empty({n}, torch::kFloat64);
  double* p = w.data_ptr<double>();
  const double step = 2.0 * M_PI / static_cast<double>(n);
  for (int64_t k = 0; k < n; ++k) {
    const double fac = static_cast<double>(k) * step + -M_PI;
    p[k] = 0.5 + 0.5 * std::cos(fac);
  }
  return w;
}

torch::Tensor power_spectrogram(const torch::Tensor& y, int64_t n_fft, int64_t hop_length) {
  if (y.dim() != 1 || y.numel() == 0)
    throw std::invalid_argument("spectrogram: the signal must be 1-D and not empty, got shape " +
                                c10::str(y.sizes()));
  if (n_fft < 1 || hop_length < 1)
    throw std::invalid_argument("spectrogram: n_fft and hop_length must be positive, got " +
                                std::to_string(n_fft) + " and " + std::to_string(hop_length));
  const int64_t half = n_fft / 2;
  torch::Tensor padded = torch::zeros({y.size(0) + 2 * half}, torch::kFloat64);
  padded.narrow(0, half, y.size(0)).copy_(y);
  // [frames, n_fft] views, one every hop_length samples (librosa's util.frame).
  torch::Tensor frames = padded.unfold(0, n_fft, hop_length) * periodic_hann(n_fft);
  torch::Tensor spectrum = torch::fft::rfft(frames, c10::nullopt, 1);
  return torch::abs(spectrum).pow(2).transpose(0, 1).contiguous();
}

}  // namespace tubelet::audio
