// |librosa.stft(y, n_fft, hop_length)| ** 2 with librosa 0.9.2's defaults: a periodic Hann
// window of n_fft samples (scipy's get_window('hann', n_fft, fftbins=True)), frames centred
// (center=True) by padding n_fft // 2 zeros at both ends (pad_mode='constant'; librosa < 0.9
// padded by reflection), 1 + len(y) // hop_length frames for an even n_fft. What
// librosa.feature.melspectrogram squares before the mel filters.
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace tubelet::audio {

// `y` is a 1-D floating-point signal. Returns [1 + n_fft / 2, frames] float64 power.
// Throws std::invalid_argument for a signal that is not 1-D or empty, or sizes < 1.
torch::Tensor power_spectrogram(const torch::Tensor& y, int64_t n_fft, int64_t hop_length);

// scipy.signal.get_window('hann', n, fftbins=True) in float64, computed as scipy does.
torch::Tensor periodic_hann(int64_t n);

}  // namespace tubelet::audio
