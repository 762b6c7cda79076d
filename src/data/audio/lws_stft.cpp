#include "tubelet/data/audio/lws_stft.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace tubelet::audio {

namespace {

// lws.hann(n, symmetric=True): sampled at the centres of n equal parts of one period.
std::vector<double> lws_hann(int64_t n) {
  std::vector<double> w(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k)
    w[static_cast<size_t>(k)] =
        0.5 *
        (1 - std::cos(2 * M_PI * static_cast<double>(2 * k + 1) / static_cast<double>(2 * n)));
  return w;
}

// lws.synthwin(awin, fshift): awin divided by the overlap-added awin^2.
std::vector<double> synthesis_window(const std::vector<double>& awin, int64_t fshift) {
  const int64_t fsize = static_cast<int64_t>(awin.size());
  const int64_t q = (fsize + fshift - 1) / fshift;
  std::vector<double> fold(static_cast<size_t>(fshift), 0.0);
  for (int64_t j = 0; j < fshift; ++j)
    for (int64_t r = 0; r < q; ++r) {
      const int64_t i = r * fshift + j;
      fold[static_cast<size_t>(j)] += i < fsize ? awin[i] * awin[i] : 0.0;
    }
  std::vector<double> swin(awin.size());
  for (int64_t i = 0; i < fsize; ++i) {
    const double norm = fold[static_cast<size_t>(i % fshift)];
    if (norm <= 0) throw std::invalid_argument("lws: the window normalizer is not positive");
    swin[static_cast<size_t>(i)] = awin[static_cast<size_t>(i)] / norm;
  }
  return swin;
}

}  // namespace

torch::Tensor lws_window(int64_t fsize, int64_t fshift) {
  std::vector<double> awin = lws_hann(fsize);
  for (double& v : awin) v = std::sqrt(v);
  const std::vector<double> swin = synthesis_window(awin, fshift);
  torch::Tensor out = torch::empty({fsize}, torch::kFloat64);
  for (int64_t i = 0; i < fsize; ++i) out[i] = std::sqrt(awin[i] * swin[i]);
  return out;
}

torch::Tensor lws_magnitude(const torch::Tensor& x, int64_t fsize, int64_t fshift) {
  if (x.dim() != 1 || x.numel() == 0)
    throw std::invalid_argument("lws stft: the signal must be 1-D and not empty, got shape " +
                                c10::str(x.sizes()));
  if (fsize < 2 || fsize % 2 != 0 || fshift < 1 || fshift > fsize)
    throw std::invalid_argument("lws stft: need an even fsize >= 2 and 1 <= fshift <= fsize, got " +
                                std::to_string(fsize) + " and " + std::to_string(fshift));
  const int64_t n = x.size(0);
  const int64_t residual = fsize % fshift;
  const int64_t front = residual == 0 ? fsize - fshift : fsize - residual;
  const int64_t back = n % fshift == 0 ? 0 : fshift - n % fshift;
  const int64_t frames = (front + n + back) / fshift;
  // The last frame starts at (frames - 1) * fshift and needs fsize samples.
  const int64_t length = std::max(front + n + back, (frames - 1) * fshift + fsize);
  torch::Tensor padded = torch::zeros({length}, torch::kFloat64);
  padded.narrow(0, front, n).copy_(x);
  torch::Tensor windowed =
      padded.unfold(0, fsize, fshift).narrow(0, 0, frames) * lws_window(fsize, fshift);
  return torch::abs(torch::fft::rfft(windowed, c10::nullopt, 1));
}

}  // namespace tubelet::audio
