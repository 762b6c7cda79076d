#include "tubelet/models/backbones/tanet.h"
#include "tubelet/models/freezing.h"

#include "tubelet/models/registries.h"

namespace tubelet {

namespace {

std::shared_ptr<ConvModuleImpl> child_conv(torch::nn::Module& block, const std::string& name) {
  auto children = block.named_children();
  if (!children.contains(name)) return nullptr;
  return std::dynamic_pointer_cast<ConvModuleImpl>(children[name]);
}

}  // namespace

TABlockImpl::TABlockImpl(std::shared_ptr<torch::nn::Module> block, const TAMOptions& tam)
    : block_(std::move(block)) {
  conv1_ = child_conv(*block_, "conv1");
  conv2_ = child_conv(*block_, "conv2");
  conv3_ = child_conv(*block_, "conv3");
  downsample_ = child_conv(*block_, "downsample");
  if (!conv1_ || !conv2_ || !conv3_)
    throw ConfigError(
        "TANet: TA-Blocks are implemented only for Bottleneck blocks (depth 50 or more), as in "
        "MMAction2");
  register_module("block", block_);
  TAMOptions o = tam;
  o.in_channels(conv1_->options.out_channels());
  tam_ = register_module("tam", TAM(o));
}

torch::Tensor TABlockImpl::forward(const torch::Tensor& x) {
  torch::Tensor out = conv3_->forward(conv2_->forward(tam_(conv1_->forward(x))));
  return torch::relu(out + (downsample_ ? downsample_->forward(x) : x));
}

TANetImpl::TANetImpl(const ResNetOptions& resnet, int64_t segments, const TAMOptions& tam)
    : ResNetImpl(resnet), num_segments(segments), stages_(res_layers()) {
  if (segments < 3) throw ConfigError(resnet.path() + ": TANet needs num_segments >= 3");
  for (size_t s = 0; s < stages_.size(); ++s) {
    torch::nn::Sequential blocks;
    for (const auto& block : *stages_[s]) blocks->push_back(TABlock(block.ptr(), tam));
    stages_[s] = replace_module("layer" + std::to_string(s + 1), blocks);
  }
}

std::vector<torch::Tensor> TANetImpl::forward_features(const torch::Tensor& input) {
  auto stem = named_children();
  torch::Tensor x = stem["conv1"]->as<ConvModuleImpl>()->forward(input);
  x = stem["maxpool"]->as<torch::nn::MaxPool2dImpl>()->forward(x);
  std::vector<torch::Tensor> outs;
  const auto& wanted = options.out_indices();
  for (size_t i = 0; i < stages_.size(); ++i) {
    x = stages_[i]->forward(x);
    if (std::find(wanted.begin(), wanted.end(), static_cast<int64_t>(i)) != wanted.end())
      outs.push_back(x);
  }
  return outs;
}

void TANetImpl::train(bool on) {
  ResNetImpl::train(on);
  for (int64_t i = 1; i <= options.frozen_stages() && i <= static_cast<int64_t>(stages_.size());
       ++i)
    freeze(*stages_[i - 1]);
}

namespace {

TAMOptions read_tam_cfg(Args& args, int64_t num_segments) {
  Args tam(Value(args.get("tam_cfg", Dict())), "TAM", args.path() + ".tam_cfg");
  TAMOptions o(0, num_segments);
  o.alpha(tam.get<int64_t>("alpha", 2))
      .adaptive_kernel_size(tam.get<int64_t>("adaptive_kernel_size", 3))
      .beta(tam.get<int64_t>("beta", 4))
      .conv1d_kernel_size(tam.get<int64_t>("conv1d_kernel_size", 3))
      .adaptive_convolution_stride(tam.get<int64_t>("adaptive_convolution_stride", 1))
      .adaptive_convolution_padding(tam.get<int64_t>("adaptive_convolution_padding", 1))
      .init_std(tam.get("init_std", 0.001));
  tam.finish();
  if (o.alpha() <= 0 || o.beta() <= 0) throw tam.error("alpha", "alpha and beta must be positive");
  return o;
}

std::shared_ptr<Backbone> build_tanet(Args& args) {
  int64_t num_segments = args.required<int64_t>("num_segments");
  TAMOptions tam = read_tam_cfg(args, num_segments);
  return std::make_shared<TANetImpl>(ResNetOptions::from_config(args), num_segments, tam);
}

}  // namespace

TUBELET_REGISTER(BACKBONES, TANet, build_tanet);

}  // namespace tubelet
