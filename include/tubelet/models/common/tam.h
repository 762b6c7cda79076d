// MMAction2's TAM (mmaction/models/common/tam.py), TANet's Temporal Adaptive Module: a global
// branch G learns a per-channel temporal kernel from the pooled frames, a local branch L a
// per-frame channel gate; the gated frames are convolved over time with that kernel.
// Children as in MMAction2: G.0 (Linear), G.1 (BatchNorm1d), G.3 (Linear), L.0 (Conv1d),
// L.1 (BatchNorm1d), L.3 (Conv1d).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>

#include <string>

namespace tubelet {

struct TAMOptions {
  TAMOptions(int64_t in_channels, int64_t num_segments)
      : in_channels_(in_channels), num_segments_(num_segments) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, num_segments);
  TORCH_ARG(int64_t, alpha) = 2;
  TORCH_ARG(int64_t, adaptive_kernel_size) = 3;
  TORCH_ARG(int64_t, beta) = 4;
  TORCH_ARG(int64_t, conv1d_kernel_size) = 3;
  TORCH_ARG(int64_t, adaptive_convolution_stride) = 1;
  TORCH_ARG(int64_t, adaptive_convolution_padding) = 1;
  /// Accepted and stored, but unused, as in MMAction2 (its layers keep PyTorch's init).
  TORCH_ARG(double, init_std) = 0.001;
};

class TAMImpl : public torch::nn::Module {
 public:
  explicit TAMImpl(const TAMOptions& options);
  // [N * num_segments, C, H, W] -> same shape.
  torch::Tensor forward(const torch::Tensor& x);

  TAMOptions options;

 private:
  torch::nn::Sequential G_{nullptr}, L_{nullptr};
};
TORCH_MODULE(TAM);

}  // namespace tubelet
