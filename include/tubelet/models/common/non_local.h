// mmcv's NonLocal1d/2d/3d (mmcv/cnn/bricks/non_local.py): y = x + conv_out(f(theta x, phi x) g x)
// with mmcv's child names (g, theta, phi, conv_out, concat_project; g.0 / phi.0 when
// sub-sampled), so checkpoint keys read non_local_block.g.conv.weight and the like.
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <string>

#include "tubelet/args.h"
#include "tubelet/models/common/conv_module.h"

namespace tubelet {

struct NonLocalOptions {
  explicit NonLocalOptions(int64_t in_channels) : in_channels_(in_channels) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, reduction) = 2;
  /// Divide embedded-gaussian affinities by sqrt(inter_channels).
  TORCH_ARG(bool, use_scale) = true;
  /// None: Conv1d/Conv2d/Conv3d by dimension, as NonLocal1d/2d/3d default.
  TORCH_ARG(Value, conv_cfg);
  /// Only conv_out gets a norm.
  TORCH_ARG(Value, norm_cfg);
  /// "gaussian", "embedded_gaussian", "dot_product" or "concatenation".
  TORCH_ARG(std::string, mode) = "embedded_gaussian";
  /// Max-pool the spatial size of g and phi by 2.
  TORCH_ARG(bool, sub_sample) = false;
  /// init_weights(std, zeros_init): normal(0, std) for g/theta/phi, zeros for conv_out.
  TORCH_ARG(double, std) = 0.01;
  TORCH_ARG(bool, zeros_init) = true;
  TORCH_ARG(std::string, path) = "NonLocal";

 public:  // TORCH_ARG leaves the section private
  // Reads NonLocalNd's keyword arguments (those of init_weights included) from `args`.
  static NonLocalOptions from_config(Args& args, int64_t in_channels);
};

class NonLocalImpl : public torch::nn::Module {
 public:
  // `dims` 1, 2 or 3: NonLocal1d, NonLocal2d or NonLocal3d.
  NonLocalImpl(int64_t dims, const NonLocalOptions& options);
  torch::Tensor forward(const torch::Tensor& x);

  NonLocalOptions options;
  int64_t inter_channels() const { return inter_channels_; }

 private:
  ConvModule conv(int64_t in, int64_t out, const Value& norm_cfg, const std::string& name);
  void register_in_mmcv_order(bool sub_sample, int64_t dims);
  torch::Tensor pairwise(const torch::Tensor& theta_x, const torch::Tensor& phi_x);
  torch::Tensor concatenation(const torch::Tensor& theta_x, const torch::Tensor& phi_x);

  int64_t dims_, inter_channels_;
  ConvModule g_{nullptr}, theta_{nullptr}, phi_{nullptr}, conv_out_{nullptr},
      concat_project_{nullptr};
  // g and phi followed by max pooling when sub-sampled (children "0" and "1").
  torch::nn::Sequential g_pooled_{nullptr}, phi_pooled_{nullptr};
  torch::nn::AnyModule pool_;
};
TORCH_MODULE(NonLocal);

}  // namespace tubelet
