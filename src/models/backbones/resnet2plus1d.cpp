#include "tubelet/models/backbones/resnet2plus1d.h"

#include "tubelet/models/registries.h"

namespace tubelet {

ResNet2Plus1dImpl::ResNet2Plus1dImpl(const ResNet3dOptions& options) : ResNet3dImpl(options) {}

std::vector<torch::Tensor> ResNet2Plus1dImpl::forward_features(const torch::Tensor& input) {
  check_input(input, "ResNet2Plus1d");
  torch::Tensor x = stem_pool()(stem_conv()(input));
  for (auto& layer : res_layers()) x = layer->forward(x);
  return {x};
}

namespace {
std::shared_ptr<Backbone> build_r2plus1d(Args& args) {
  ResNet3dOptions o = ResNet3dOptions::from_config(args);
  // MMAction2 asserts both: the 2D inflation does not apply to factored convs.
  if (o.pretrained2d()) throw args.error("pretrained2d", "ResNet2Plus1d needs pretrained2d=False");
  const Value& conv = o.conv_cfg();
  if (!conv.is_dict() || !conv.as_dict().contains("type") ||
      conv.as_dict().at("type") != Value("Conv2plus1d"))
    throw args.error("conv_cfg", "ResNet2Plus1d needs conv_cfg=dict(type='Conv2plus1d')");
  return std::make_shared<ResNet2Plus1dImpl>(o);
}
}  // namespace

TUBELET_REGISTER(BACKBONES, ResNet2Plus1d, build_r2plus1d);

}  // namespace tubelet
