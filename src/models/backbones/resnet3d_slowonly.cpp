#include "tubelet/models/backbones/resnet3d_slowonly.h"

#include "tubelet/models/registries.h"

namespace tubelet {

ResNet3dOptions resnet3d_slowonly_options(Args& args) {
  ResNet3dOptions defaults;
  defaults.conv1_kernel({1, 7, 7}).inflate({{0}, {0}, {1}, {1}}).with_pool2(false);
  ResNet3dOptions o = ResNet3dPathwayImpl::options_from_config(args, defaults);
  if (o.lateral()) throw args.error("lateral", "ResNet3dSlowOnly has no lateral connections");
  return o;
}

namespace {
std::shared_ptr<Backbone> build_slowonly(Args& args) {
  return std::make_shared<ResNet3dPathwayImpl>(resnet3d_slowonly_options(args));
}
}  // namespace

TUBELET_REGISTER(BACKBONES, ResNet3dSlowOnly, build_slowonly);

}  // namespace tubelet
