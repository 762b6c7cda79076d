// The STFT of lws 1.2.8 (lws.lws(fsize, fshift, mode='speech').stft(x)), which
// tools/data/build_audio_features.py's AudioTools computes its spectrograms with:
//  - window: the square root of lws's "symmetric" Hann (0.5 (1 - cos(2 pi (2k + 1) / 2n)),
//    offset by half a sample), renormalised for perfect reconstruction
//    (sqrt(awin * synthwin(awin, fshift))): for fsize = 2 fshift, sqrt-Hann up to rounding;
//  - padding (perfectrec=True): fsize - fshift zeros in front (fsize - fsize % fshift when
//    fshift does not divide fsize), then zeros up to a multiple of fshift, then fsize - fshift
//    more, so that M = padded length / fshift frames start every fshift samples — the
//    lws_pad_lr of the script;
//  - an FFT of fsize points per frame, bins 0 .. fsize / 2 kept.
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace tubelet::audio {

// lws's analysis window of fsize samples (float64), as lws.lws computes it.
torch::Tensor lws_window(int64_t fsize, int64_t fshift);

// |lws.stft(x)|: [M, fsize / 2 + 1] float64 magnitudes of a 1-D signal. Throws
// std::invalid_argument for an empty or non-1-D signal, an odd fsize or fshift > fsize.
torch::Tensor lws_magnitude(const torch::Tensor& x, int64_t fsize, int64_t fshift);

}  // namespace tubelet::audio
