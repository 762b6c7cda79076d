// MMAction2's ResNetAudio (mmaction/models/backbones/resnet_audio.py), the audio backbone of
// "Audiovisual SlowFast Networks" on spectrogram features [N, 1, T, F]: a ConvAudio stem (a
// time-wise and a frequency-wise conv, summed) and Bottleneck2dAudio stages whose 3x3 conv is
// a ConvAudio (concatenated, so conv3 takes 2 * planes) where `factorize` says so. Depths 50,
// 101, 152. Checkpoint keys: backbone.conv1.conv.conv_1.conv.weight, backbone.layer1.0.conv2.
// conv.conv_2.bn.running_mean, backbone.layer3.0.conv2.conv.weight, ...
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <optional>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/models/backbone.h"
#include "tubelet/models/common/conv_module.h"

namespace tubelet {

struct ResNetAudioOptions {
  explicit ResNetAudioOptions(int64_t depth) : depth_(depth) {}
  TORCH_ARG(int64_t, depth);
  /// A local checkpoint path (loaded not strictly), or None for kaiming/constant init.
  TORCH_ARG(std::optional<std::string>, pretrained);
  TORCH_ARG(int64_t, in_channels) = 1;
  TORCH_ARG(int64_t, num_stages) = 4;
  TORCH_ARG(int64_t, base_channels) = 32;
  TORCH_ARG(std::vector<int64_t>, strides) = {1, 2, 2, 2};
  TORCH_ARG(std::vector<int64_t>, dilations) = {1, 1, 1, 1};
  TORCH_ARG(int64_t, conv1_kernel) = 9;
  TORCH_ARG(std::vector<int64_t>, conv1_stride) = {1};
  TORCH_ARG(int64_t, frozen_stages) = -1;
  /// Per stage (an int repeats for every stage): 1 makes its blocks' 3x3 conv a ConvAudio;
  /// an entry may itself list one value per block.
  TORCH_ARG(std::vector<std::vector<int64_t>>, factorize) = {{1}, {1}, {0}, {0}};
  TORCH_ARG(bool, norm_eval) = false;
  TORCH_ARG(bool, with_cp) = false;
  /// Accepted and unused, as in MMAction2.
  TORCH_ARG(Value, conv_cfg);
  TORCH_ARG(Value, norm_cfg);
  /// The stem's activation (the blocks use ReLU whatever this says, as MMAction2's do).
  TORCH_ARG(Value, act_cfg);
  TORCH_ARG(bool, zero_init_residual) = true;
  TORCH_ARG(std::string, path) = "backbone";

 public:  // TORCH_ARG leaves the section private
  static ResNetAudioOptions from_config(Args& args);
};

class ResNetAudioImpl : public Backbone {
 public:
  explicit ResNetAudioImpl(const ResNetAudioOptions& options);
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;
  torch::Tensor forward(const torch::Tensor& x) { return forward_features(x).back(); }

  // Applies frozen_stages and norm_eval on top of the usual mode switch.
  void train(bool on = true) override;
  void init_weights();

  int64_t feat_dim() const { return feat_dim_; }
  ResNetAudioOptions options;

 private:
  torch::nn::Sequential make_res_layer(int64_t planes, int64_t blocks, int64_t stride,
                                       int64_t dilation, const std::vector<int64_t>& factorize,
                                       const std::string& path);
  void freeze_stages();

  ConvModule conv1_{nullptr};
  std::vector<torch::nn::Sequential> res_layers_;
  int64_t inplanes_ = 0;
  int64_t feat_dim_ = 0;
};
TORCH_MODULE(ResNetAudio);

}  // namespace tubelet
