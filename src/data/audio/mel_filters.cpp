#include "tubelet/data/audio/mel_filters.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace tubelet::audio {

namespace {

// The Slaney scale's constants, as librosa's hz_to_mel/mel_to_hz spell them.
constexpr double kFSp = 200.0 / 3;
constexpr double kMinLogHz = 1000.0;
constexpr double kMinLogMel = kMinLogHz / kFSp;
const double kLogStep = std::log(6.4) / 27.0;

double hz_to_mel(double hz) {
  if (hz >= kMinLogHz) return kMinLogMel + std::log(hz / kMinLogHz) / kLogStep;
  return hz / kFSp;
}

double mel_to_hz(double mel) {
  if (mel >= kMinLogMel) return kMinLogHz * std::exp(kLogStep * (mel - kMinLogMel));
  return kFSp * mel;
}

// np.linspace(start, stop, num) (endpoint included, set exactly) mapped back to Hz.
std::vector<double> mel_frequencies(int64_t num, double fmin, double fmax) {
  const double start = hz_to_mel(fmin), stop = hz_to_mel(fmax);
  const double step = (stop - start) / static_cast<double>(num - 1);
  std::vector<double> hz(static_cast<size_t>(num));
  for (int64_t i = 0; i < num; ++i)
    hz[static_cast<size_t>(i)] =
        mel_to_hz(i + 1 == num ? stop : static_cast<double>(i) * step + start);
  return hz;
}

// np.fft.rfftfreq(n_fft, 1 / sample_rate).
std::vector<double> fft_frequencies(double sample_rate, int64_t n_fft) {
  const double val = 1.0 / (static_cast<double>(n_fft) * (1.0 / sample_rate));
  std::vector<double> f(static_cast<size_t>(n_fft / 2 + 1));
  for (size_t k = 0; k < f.size(); ++k) f[k] = static_cast<double>(k) * val;
  return f;
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("mel filters: " + what);
}

}  // namespace

torch::Tensor mel_filters(double sample_rate, int64_t n_fft, int64_t n_mels, double fmin,
                          std::optional<double> fmax) {
  const double top = fmax.value_or(sample_rate / 2);
  check(sample_rate > 0, "sample rate must be positive, got " + std::to_string(sample_rate));
  check(n_fft > 0, "n_fft must be positive, got " + std::to_string(n_fft));
  check(n_mels > 0, "n_mels must be positive, got " + std::to_string(n_mels));
  check(fmin >= 0 && fmin < top, "need 0 <= fmin < fmax, got fmin " + std::to_string(fmin) +
                                     ", fmax " + std::to_string(top));
  const std::vector<double> freqs = fft_frequencies(sample_rate, n_fft);
  const std::vector<double> mel_f = mel_frequencies(n_mels + 2, fmin, top);
  const int64_t bins = static_cast<int64_t>(freqs.size());
  torch::Tensor weights = torch::zeros({n_mels, bins}, torch::kFloat32);
  float* w = weights.data_ptr<float>();
  for (int64_t i = 0; i < n_mels; ++i) {
    const double lower_width = mel_f[i + 1] - mel_f[i], upper_width = mel_f[i + 2] - mel_f[i + 1];
    const double enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
    for (int64_t k = 0; k < bins; ++k) {
      const double lower = -(mel_f[i] - freqs[k]) / lower_width;
      const double upper = (mel_f[i + 2] - freqs[k]) / upper_width;
      // librosa stores the triangle in its float32 array, then scales that array in float64.
      const float triangle = static_cast<float>(std::max(0.0, std::min(lower, upper)));
      w[i * bins + k] = static_cast<float>(static_cast<double>(triangle) * enorm);
    }
  }
  return weights;
}

}  // namespace tubelet::audio
