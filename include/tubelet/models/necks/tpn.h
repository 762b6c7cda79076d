// MMAction2's TPN neck (Temporal Pyramid Network, mmaction/models/necks/tpn.py) and its parts:
// DownSample, LevelFusion, SpatialModulation, AuxHead, TemporalModulation. Child names are
// MMAction2's, so checkpoint keys match (neck.temporal_modulation_ops.0.conv.conv.weight,
// neck.spatial_modulation.spatial_modulation.0.0.bn.weight, neck.aux_head.fc.bias, ...).
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/models/common/conv_module.h"
#include "tubelet/models/loss.h"
#include "tubelet/models/neck.h"

namespace tubelet {

struct DownSampleOptions {
  DownSampleOptions(int64_t in_channels, int64_t out_channels)
      : in_channels_(in_channels), out_channels_(out_channels) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(IntOrTuple, kernel_size) = {3, 1, 1};
  TORCH_ARG(IntOrTuple, stride) = {1, 1, 1};
  TORCH_ARG(IntOrTuple, padding) = {1, 0, 0};
  TORCH_ARG(int64_t, groups) = 1;
  /// ConvModule's bias: "auto", "true" or "false".
  TORCH_ARG(std::string, bias) = "false";
  TORCH_ARG(Value, conv_cfg) = conv3d_cfg();
  TORCH_ARG(Value, norm_cfg);
  TORCH_ARG(Value, act_cfg);
  /// "before": max-pool then conv; "after": conv then max-pool.
  TORCH_ARG(std::string, downsample_position) = "after";
  /// Kernel and stride of the max-pool (ceil_mode).
  TORCH_ARG(IntOrTuple, downsample_scale) = {1, 2, 2};
  TORCH_ARG(std::string, path) = "DownSample";

 public:  // TORCH_ARG leaves the section private
  static Value conv3d_cfg();
};

class DownSampleImpl : public torch::nn::Module {
 public:
  explicit DownSampleImpl(const DownSampleOptions& options);
  torch::Tensor forward(const torch::Tensor& x);

  DownSampleOptions options;

 private:
  ConvModule conv_{nullptr};
  torch::nn::MaxPool3d pool_{nullptr};
};
TORCH_MODULE(DownSample);

struct LevelFusionOptions {
  TORCH_ARG(std::vector<int64_t>, in_channels);
  TORCH_ARG(std::vector<int64_t>, mid_channels);
  TORCH_ARG(int64_t, out_channels) = 0;
  TORCH_ARG(std::vector<IntOrTuple>, downsample_scales) = {{1, 1, 1}, {1, 1, 1}};
  TORCH_ARG(std::string, path) = "LevelFusion";
};

// Each level through a grouped 1x1x1 DownSample ("before"), concatenated, then fusion_conv.
class LevelFusionImpl : public torch::nn::Module {
 public:
  explicit LevelFusionImpl(const LevelFusionOptions& options);
  torch::Tensor forward(const std::vector<torch::Tensor>& x);

  LevelFusionOptions options;

 private:
  torch::nn::ModuleList downsamples_;
  ConvModule fusion_conv_{nullptr};
};
TORCH_MODULE(LevelFusion);

// Strided (1, 3, 3) convs that bring each level to the top level's channels and size; a level
// with out_channels // channels < 2 passes through (MMAction2's Identity, no keys).
class SpatialModulationImpl : public torch::nn::Module {
 public:
  SpatialModulationImpl(const std::vector<int64_t>& in_channels, int64_t out_channels,
                        const std::string& path);
  std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& x);

 private:
  torch::nn::ModuleList spatial_modulation_;
  std::vector<bool> identity_;
};
TORCH_MODULE(SpatialModulation);

struct AuxHeadOptions {
  AuxHeadOptions(int64_t in_channels, int64_t out_channels)
      : in_channels_(in_channels), out_channels_(out_channels) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(double, loss_weight) = 0.5;
  TORCH_ARG(std::string, path) = "AuxHead";
};

// Classifies the second-to-last level for the auxiliary loss:
// loss_aux = loss_weight * loss_cls(fc(dropout(pool(conv(x)))), target).
class AuxHeadImpl : public torch::nn::Module {
 public:
  AuxHeadImpl(const AuxHeadOptions& options, std::shared_ptr<Loss> loss_cls);
  // Empty without a target, as MMAction2.
  LossDict forward(const torch::Tensor& x, const torch::Tensor& target);
  // MMAction2's AuxHead.init_weights: fc normal(0, 0.01), conv xavier uniform, BN 1/0.
  void init_weights();

  AuxHeadOptions options;

 private:
  ConvModule conv_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear fc_{nullptr};
  std::shared_ptr<Loss> loss_cls_;
};
TORCH_MODULE(AuxHead);

// Grouped (groups=32) temporal conv, then a temporal max-pool by downsample_scale.
class TemporalModulationImpl : public torch::nn::Module {
 public:
  TemporalModulationImpl(int64_t in_channels, int64_t out_channels, int64_t downsample_scale,
                         const std::string& path);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  ConvModule conv_{nullptr};
  torch::nn::MaxPool3d pool_{nullptr};
};
TORCH_MODULE(TemporalModulation);

// nn.Upsample's arguments (upsample_cfg).
struct TPNUpsampleOptions {
  std::optional<std::vector<int64_t>> size;
  std::optional<std::vector<double>> scale_factor;
  std::string mode = "nearest";
  std::optional<bool> align_corners;
};

struct TPNOptions {
  TPNOptions(std::vector<int64_t> in_channels, int64_t out_channels)
      : in_channels_(std::move(in_channels)), out_channels_(out_channels) {}
  TORCH_ARG(std::vector<int64_t>, in_channels);
  TORCH_ARG(int64_t, out_channels);
  /// SpatialModulation's in_channels and out_channels.
  TORCH_ARG(std::vector<int64_t>, spatial_in_channels);
  TORCH_ARG(int64_t, spatial_out_channels) = 0;
  /// temporal_modulation_cfg['downsample_scales'] (one per level); None: no temporal ops.
  TORCH_ARG(std::optional<std::vector<int64_t>>, temporal_downsample_scales);
  TORCH_ARG(std::optional<TPNUpsampleOptions>, upsample);
  /// downsample_cfg: DownSample's arguments but the channels (both out_channels).
  TORCH_ARG(std::optional<DownSampleOptions>, downsample);
  TORCH_ARG(LevelFusionOptions, level_fusion);
  /// aux_head_cfg: out_channels and loss_weight (its loss_cls is built by the builder).
  TORCH_ARG(std::optional<AuxHeadOptions>, aux_head);
  /// "cascade" (bottom-up on the top-down sums) or "parallel" (bottom-up on fresh copies).
  TORCH_ARG(std::string, flow_type) = "cascade";
  TORCH_ARG(std::string, path) = "TPN";
};

class TPNImpl : public Neck {
 public:
  TPNImpl(const TPNOptions& options, std::shared_ptr<Loss> aux_loss);
  NeckOutput forward_neck(const std::vector<torch::Tensor>& feats,
                          const torch::Tensor& target) override;
  // The fused map [N, 2048, T', H', W'] and loss_aux (with a target and an aux_head).
  std::pair<torch::Tensor, LossDict> forward(const std::vector<torch::Tensor>& x,
                                             const torch::Tensor& target = {});
  // MMAction2's TPN.init_weights: every Conv3d xavier uniform, every BatchNorm3d 1/0, then
  // the aux head's own init.
  void init_weights();

  TPNOptions options;

 private:
  void check_levels(const std::vector<torch::Tensor>& x) const;
  std::vector<torch::Tensor> top_down(std::vector<torch::Tensor> outs);
  std::vector<torch::Tensor> bottom_up(std::vector<torch::Tensor> outs);

  torch::nn::ModuleList temporal_modulation_ops_, upsample_ops_, downsample_ops_;
  LevelFusion level_fusion_1_{nullptr}, level_fusion_2_{nullptr};
  SpatialModulation spatial_modulation_{nullptr};
  ConvModule pyramid_fusion_{nullptr};
  AuxHead aux_head_{nullptr};
};
TORCH_MODULE(TPN);

}  // namespace tubelet
