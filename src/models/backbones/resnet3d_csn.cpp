#include "tubelet/models/backbones/resnet3d_csn.h"

#include "tubelet/models/registries.h"

namespace tubelet {

ResNet3dOptions resnet3d_csn_options(Args& args) {
  ResNet3dOptions defaults;
  Value norm = ResNet3dOptions::type_cfg("BN3d", true);
  norm.mutable_dict().set("eps", Value(1e-3));
  defaults.temporal_strides({1, 2, 2, 2}).norm_cfg(norm).inflate_style("3x3x3");
  ResNet3dOptions o = ResNet3dOptions::from_config(args, defaults);
  o.bottleneck_mode(args.get("bottleneck_mode", "ir")).bn_frozen(args.get("bn_frozen", false));
  if (o.bottleneck_mode() != "ip" && o.bottleneck_mode() != "ir")
    throw args.error("bottleneck_mode",
                     "Bottleneck mode must be \"ip\" or \"ir\", but got " + o.bottleneck_mode());
  return o;
}

namespace {
std::shared_ptr<Backbone> build_csn(Args& args) {
  return std::make_shared<ResNet3dImpl>(resnet3d_csn_options(args));
}
}  // namespace

TUBELET_REGISTER(BACKBONES, ResNet3dCSN, build_csn);

}  // namespace tubelet
