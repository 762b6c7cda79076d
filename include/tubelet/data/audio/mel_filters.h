// librosa.filters.mel (librosa 0.9.2) with its defaults htk=False and norm='slaney': n_mels
// triangular filters over the 1 + n_fft / 2 FFT bins, centred on points evenly spaced on the
// Slaney mel scale (linear below 1 kHz, logarithmic above) between fmin and fmax, each scaled
// to constant energy (2 / its width in Hz). MelSpectrogram (fmin 0, fmax sr / 2) and
// build-audio-features (fmin 125, fmax 7600) use it.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <optional>

namespace tubelet::audio {

// A [n_mels, 1 + n_fft / 2] float32 tensor, rounded where librosa rounds (the triangles are
// stored as float32 before the Slaney scaling), so its values match librosa's.
// fmax defaults to sample_rate / 2. Throws std::invalid_argument for non-positive sizes or
// rates and for fmin >= fmax.
torch::Tensor mel_filters(double sample_rate, int64_t n_fft, int64_t n_mels, double fmin = 0.0,
                          std::optional<double> fmax = std::nullopt);

}  // namespace tubelet::audio
