// MMAction2's ResNet3d (I3D and the 3D ResNets built on it): 3D ConvModules, per-stage and
// per-block inflation of the temporal kernel, spatial and temporal strides, pool1/pool2, and
// I3D's inflation of a 2D ResNet checkpoint (pretrained2d). The subclasses (ResNet3dPathway,
// ResNet3dSlowOnly, ResNet3dCSN, ResNet2Plus1d) reuse it through the options below.
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/pooling.h>

#include <optional>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/models/backbone.h"
#include "tubelet/models/common/conv_module.h"

namespace tubelet {

struct ResNet3dOptions {
  explicit ResNet3dOptions(int64_t depth) : depth_(depth) {}
  ResNet3dOptions() = default;
  TORCH_ARG(int64_t, depth) = 0;
  /// A local .pth: a 2D ResNet to inflate (pretrained2d) or this model's own weights.
  TORCH_ARG(std::optional<std::string>, pretrained);
  TORCH_ARG(bool, pretrained2d) = true;
  TORCH_ARG(std::optional<std::vector<int64_t>>, stage_blocks);
  TORCH_ARG(int64_t, in_channels) = 3;
  TORCH_ARG(int64_t, num_stages) = 4;
  TORCH_ARG(int64_t, base_channels) = 64;
  TORCH_ARG(std::vector<int64_t>, out_indices) = {3};
  TORCH_ARG(std::vector<int64_t>, spatial_strides) = {1, 2, 2, 2};
  TORCH_ARG(std::vector<int64_t>, temporal_strides) = {1, 1, 1, 1};
  TORCH_ARG(std::vector<int64_t>, dilations) = {1, 1, 1, 1};
  TORCH_ARG(std::vector<int64_t>, conv1_kernel) = {3, 7, 7};
  TORCH_ARG(int64_t, conv1_stride_s) = 2;
  TORCH_ARG(int64_t, conv1_stride_t) = 1;
  TORCH_ARG(int64_t, pool1_stride_s) = 2;
  TORCH_ARG(int64_t, pool1_stride_t) = 1;
  TORCH_ARG(bool, with_pool1) = true;
  TORCH_ARG(bool, with_pool2) = true;
  TORCH_ARG(std::string, style) = "pytorch";
  TORCH_ARG(int64_t, frozen_stages) = -1;
  /// Per stage, the inflation of each block (1: 3-frame temporal kernel, 0: 1 frame).
  TORCH_ARG(std::vector<std::vector<int64_t>>, inflate) = {{1}, {1}, {1}, {1}};
  TORCH_ARG(std::string, inflate_style) = "3x1x1";
  /// Per stage, which blocks end with a NonLocal3d (mmcv's), built with non_local_cfg.
  TORCH_ARG(std::vector<std::vector<int64_t>>, non_local) = {{0}, {0}, {0}, {0}};
  TORCH_ARG(Dict, non_local_cfg);
  TORCH_ARG(Value, conv_cfg) = type_cfg("Conv3d");
  TORCH_ARG(Value, norm_cfg) = type_cfg("BN3d", true);
  TORCH_ARG(Value, act_cfg) = type_cfg("ReLU", false, true);
  TORCH_ARG(bool, norm_eval) = false;
  TORCH_ARG(bool, zero_init_residual) = true;
  /// ResNet3dPathway: the first block of each stage also takes the lateral channels
  /// (inplanes * 2 / channel_ratio) that SlowFast concatenates from the fast pathway.
  TORCH_ARG(bool, lateral) = false;
  TORCH_ARG(bool, lateral_norm) = false;
  TORCH_ARG(int64_t, speed_ratio) = 8;
  TORCH_ARG(int64_t, channel_ratio) = 8;
  TORCH_ARG(int64_t, fusion_kernel) = 5;
  /// ResNet3dCSN: "ip" or "ir" makes each bottleneck's conv2 channel-separated (a
  /// depthwise conv, after a 1x1x1 conv with "ip"); empty for ResNet3d's bottleneck.
  TORCH_ARG(std::string, bottleneck_mode);
  TORCH_ARG(bool, bn_frozen) = false;
  TORCH_ARG(std::string, path) = "backbone";

 public:  // TORCH_ARG leaves the section private
  // Reads ResNet3d's arguments; `defaults` holds the values of absent ones (a subclass's
  // own defaults, e.g. ResNet3dSlowOnly's inflate=(0, 0, 1, 1)).
  static ResNet3dOptions from_config(Args& args, const ResNet3dOptions& defaults);
  static ResNet3dOptions from_config(Args& args);
  static Value type_cfg(const char* type, bool requires_grad = false, bool inplace = false);
};

class ResNet3dImpl : public Backbone {
 public:
  explicit ResNet3dImpl(const ResNet3dOptions& options) : ResNet3dImpl(options, true) {}
  // x [N, in_channels, T, H, W] -> the out_indices stages' feature maps.
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;
  void train(bool on = true) override;

  // MMAction2's init_weights: kaiming/constant (zero_init_residual) without `pretrained`;
  // with it, inflate_weights (pretrained2d) or a non-strict load of this model's own keys.
  void init_weights();
  // I3D's inflation of a 2D ResNet (torchvision or MMAction2 names, e.g. layer1.0.conv1 /
  // layer1.0.bn1 / downsample.0 / downsample.1): each 2D kernel is repeated over the
  // temporal axis and divided by its length; norms are copied. What could not be used is
  // reported on stderr, as MMAction2 logs it. Returns the 2D keys that were used.
  std::vector<std::string> inflate_weights(const std::string& path);

  ConvModule stem_conv() const { return conv1_; }
  torch::nn::MaxPool3d stem_pool() const { return maxpool_; }
  std::vector<torch::nn::Sequential> res_layers() const { return res_layers_; }
  // Output channels per `planes` of a block: 4 for bottlenecks, 1 for basic blocks.
  int64_t expansion() const { return bottleneck_ ? 4 : 1; }
  // Throws unless x is [N, in_channels, T, H, W], naming the layout.
  void check_input(const torch::Tensor& x, const std::string& module) const;

  ResNet3dOptions options;

 protected:
  // With `initialise` false a subclass adds its own modules, then calls init_weights().
  ResNet3dImpl(const ResNet3dOptions& options, bool initialise);
  // ResNet3dPathway's variant of inflation: skips lateral connections and pads convs that
  // take lateral channels with zeros.
  bool pathway_inflation_ = false;
  // Weights of modules only a subclass has (laterals), after the common init.
  virtual void init_extra_weights() {}

 private:
  torch::nn::Sequential make_res_layer(int64_t stage, int64_t planes, int64_t blocks);
  void init_from_scratch();
  void inflate_conv(ConvModuleImpl& module, const std::string& name,
                    const checkpoint::StateDict& r2d, std::vector<std::string>& used,
                    std::vector<std::string>& warnings) const;
  void inflate_norm(torch::nn::Module& norm, const std::string& name,
                    const checkpoint::StateDict& r2d, std::vector<std::string>& used,
                    std::vector<std::string>& warnings) const;

  ConvModule conv1_{nullptr};
  torch::nn::MaxPool3d maxpool_{nullptr}, pool2_{nullptr};
  std::vector<torch::nn::Sequential> res_layers_;
  std::vector<std::shared_ptr<ConvModuleImpl>> last_convs_;  // zero_init_residual targets
  int64_t inplanes_ = 0;
  bool bottleneck_ = false;
};
TORCH_MODULE(ResNet3d);

}  // namespace tubelet
