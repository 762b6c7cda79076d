// MMAction2's TANet (mmaction/models/backbones/tanet.py): a 2D ResNet whose Bottleneck blocks
// become TA-Blocks, a TAM between conv1 and conv2. Keys: layer1.0.block.conv1.conv.weight,
// layer1.0.tam.G.0.weight, ... As in MMAction2, the TAMs are added after the ResNet's own
// initialisation and keep PyTorch's default init.
#pragma once

#include "tubelet/models/backbones/resnet.h"
#include "tubelet/models/common/tam.h"

namespace tubelet {

// A Bottleneck with a TAM after its first conv.
class TABlockImpl : public torch::nn::Module {
 public:
  TABlockImpl(std::shared_ptr<torch::nn::Module> block, const TAMOptions& tam);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  std::shared_ptr<torch::nn::Module> block_;
  std::shared_ptr<ConvModuleImpl> conv1_, conv2_, conv3_, downsample_;
  TAM tam_{nullptr};
};
TORCH_MODULE(TABlock);

class TANetImpl : public ResNetImpl {
 public:
  // `tam` gives TAM's settings; in_channels comes from each block.
  TANetImpl(const ResNetOptions& resnet, int64_t num_segments, const TAMOptions& tam);
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;
  // frozen_stages also freezes the TAMs of those stages, as MMAction2 freezes layerN whole.
  void train(bool on = true) override;

  int64_t num_segments;

 private:
  std::vector<torch::nn::Sequential> stages_;
};

}  // namespace tubelet
