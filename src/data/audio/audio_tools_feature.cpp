#include "tubelet/data/audio/audio_tools_feature.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "tubelet/data/audio/lws_stft.h"
#include "tubelet/data/audio/mel_filters.h"

namespace tubelet::audio {

torch::Tensor rms_normalize(const torch::Tensor& samples, double desired_rms, double eps) {
  torch::Tensor x = samples.to(torch::kFloat32);
  const double rms = std::max(eps, std::sqrt(x.to(torch::kFloat64).pow(2).mean().item<double>()));
  return x * static_cast<float>(desired_rms / rms);
}

torch::Tensor audio_tools_feature(const torch::Tensor& waveform, const AudioToolsOptions& o) {
  if (waveform.dim() != 1 || waveform.numel() == 0)
    throw std::invalid_argument(
        "audio feature: the waveform must be 1-D and not empty, got shape " +
        c10::str(waveform.sizes()));
  torch::Tensor wav = rms_normalize(waveform, o.desired_rms, o.rms_eps).to(torch::kFloat64);
  torch::Tensor magnitude = lws_magnitude(wav, o.fft_size, o.hop_size);  // [frames, bins]
  // np.dot(float32 basis, float64 |D|): the basis widened to float64.
  torch::Tensor basis =
      mel_filters(static_cast<double>(o.sample_rate), o.fft_size, o.num_mels, o.fmin, o.fmax)
          .to(torch::kFloat64);
  torch::Tensor mel = torch::matmul(magnitude, basis.t());  // [frames, num_mels]
  // _amp_to_db: min_level = exp(min_level_db / 20 * ln 10) (1e-5 for -100 dB).
  const double min_level = std::exp(o.min_level_db / 20 * std::log(10.0));
  torch::Tensor db = 20 * torch::log10(torch::clamp_min(mel, min_level)) - o.ref_level_db;
  torch::Tensor normalized = torch::clamp((db - o.min_level_db) / -o.min_level_db, 0, 1);
  return normalized.to(torch::kFloat32).contiguous();
}

}  // namespace tubelet::audio
