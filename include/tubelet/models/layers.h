// mmcv's layer builders: conv, norm and activation layers chosen by a config dict
// (conv_cfg, norm_cfg, act_cfg), each from a registry so a plugin can add its own.
#pragma once

#include <torch/nn/modules/container/any.h>
#include <torch/nn/options/batchnorm.h>

#include <string>
#include <utility>
#include <vector>

#include "tubelet/registry.h"

namespace tubelet {

// Each builds one layer with a Tensor -> Tensor forward. The arguments that come from the
// surrounding module (channels, kernel size, ...) arrive as default arguments, as mmcv
// passes them to build_conv_layer/build_norm_layer.
using LayerRegistry = Registry<torch::nn::AnyModule>;
LayerRegistry& CONV_LAYERS();
LayerRegistry& NORM_LAYERS();
LayerRegistry& ACTIVATION_LAYERS();

// A kernel size, stride, padding or dilation: one int for every dimension, or one per dimension.
using IntOrTuple = std::vector<int64_t>;

struct ConvLayerArgs {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  IntOrTuple kernel_size{1};
  IntOrTuple stride{1};
  IntOrTuple padding{0};
  IntOrTuple dilation{1};
  int64_t groups = 1;
  bool bias = true;
};

// mmcv's build_conv_layer: cfg None means dict(type='Conv2d').
torch::nn::AnyModule build_conv_layer(const Value& cfg, const ConvLayerArgs& args,
                                      const std::string& path);

// mmcv's build_norm_layer: returns the layer's name (its abbreviation plus `postfix`: "bn",
// "gn1", ...) and the layer. Honours `requires_grad` in the cfg.
std::pair<std::string, torch::nn::AnyModule> build_norm_layer(const Value& cfg,
                                                              int64_t num_features,
                                                              const std::string& postfix,
                                                              const std::string& path);

// mmcv's build_activation_layer.
torch::nn::AnyModule build_activation_layer(const Value& cfg, const std::string& path);

// The options of a batch norm (BatchNorm1d/2d/3d or SyncBN), which each forward pass reads
// (momentum, track_running_stats); nullptr for any other module. PreciseBN changes the
// momentum for its passes.
torch::nn::BatchNormOptions* batch_norm_options(torch::nn::Module& module);

// The abbreviation mmcv's infer_abbr gives a norm type: "bn", "gn", "ln", "in".
std::string norm_abbreviation(const std::string& type);

}  // namespace tubelet
