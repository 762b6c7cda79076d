// The spectrogram tools/data/build_audio_features.py writes per file (AudioTools(fft_size=512,
// hop_size=256), spectrogram_type 'lws'), from the waveform librosa.load gives at 16 kHz:
//   RMS normalisation to desired_rms 0.1 (the RMS floored at eps 1e-4), float32 as numpy does;
//   |lws STFT| (lws_stft.h) -> mel filters (librosa.filters.mel(sr, fft_size, fmin=125,
//   fmax=7600, n_mels=80)) -> 20 log10(max(1e-5, .)) - ref_level_db 20 ->
//   clip((S - min_level_db) / -min_level_db, 0, 1) with min_level_db -100 -> float32,
//   transposed to [frames, n_mels]: the .npy that LoadAudioFeature reads.
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace tubelet::audio {

struct AudioToolsOptions {
  int64_t sample_rate = 16000;
  int64_t num_mels = 80;
  int64_t fft_size = 512;
  int64_t hop_size = 256;
  double fmin = 125, fmax = 7600;
  double min_level_db = -100, ref_level_db = 20;
  double desired_rms = 0.1, rms_eps = 1e-4;
};

// AudioTools.audio_normalize: samples * (desired_rms / max(eps, sqrt(mean(samples^2)))), in
// float32 (numpy multiplies a float32 array by a Python float in float32).
torch::Tensor rms_normalize(const torch::Tensor& samples, double desired_rms = 0.1,
                            double eps = 1e-4);

// read_audio's normalisation then audio_to_spectrogram: a 1-D float32 waveform at
// options.sample_rate to the [frames, num_mels] float32 feature. Throws std::invalid_argument
// for an empty or non-1-D waveform.
torch::Tensor audio_tools_feature(const torch::Tensor& waveform,
                                  const AudioToolsOptions& options = {});

}  // namespace tubelet::audio
