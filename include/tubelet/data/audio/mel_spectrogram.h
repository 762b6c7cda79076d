// MelSpectrogram(window_size=32, step_size=16, n_mels=80, fixed_length=128), all ints: each
// clip of "audios" ([num_clips, samples], from AudioDecode) becomes
// librosa.feature.melspectrogram(y, sr, n_fft=round(sr * window_size / 1000),
// hop_length=round(sr * step_size / 1000), n_mels) of librosa 0.9.2 — power 2, periodic Hann,
// centred frames with zero padding (power_spectrogram.h), Slaney mel filters (mel_filters.h) —
// [n_mels, frames] float32; "audios" becomes [num_clips, n_mels, frames].
//
// MMAction2 0.24.1 then means to cut or pad each to fixed_length, but tests mel.shape[0]
// (n_mels) and pads by frames - fixed_length rows along the mel axis. Its outcome is kept
// where it leaves the spectrogram as it is: n_mels == fixed_length, or n_mels < fixed_length
// with frames == fixed_length. Everywhere else it is not sane and this is an error saying
// what MMAction2 would do: with n_mels > fixed_length it drops the top mel bands; with
// frames > fixed_length it appends frames - fixed_length copies of the top band; with
// frames < fixed_length numpy raises ValueError (negative pad width) — which is the case of
// the defaults: AudioDecode's 32000 samples at 16 kHz give 126 frames, not 128.
#pragma once

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class MelSpectrogram : public Transform {
 public:
  MelSpectrogram(int64_t window_size = 32, int64_t step_size = 16, int64_t n_mels = 80,
                 int64_t fixed_length = 128);
  void apply(Sample& sample) override;
  std::string type() const override { return "MelSpectrogram"; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  void check_length(int64_t frames, int64_t n_fft, int64_t hop) const;

  int64_t window_size_, step_size_, n_mels_, fixed_length_;
};

}  // namespace tubelet
