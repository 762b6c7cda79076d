#include "tubelet/models/backbones/c3d.h"

#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"

namespace tubelet {

namespace {

struct ConvSpec {
  const char* name;
  int64_t in, out;
  int pool;  // 0: none after this conv, else pool1..pool5
};

const ConvSpec kConvs[] = {{"conv1a", 3, 64, 1},    {"conv2a", 64, 128, 2},
                           {"conv3a", 128, 256, 0}, {"conv3b", 256, 256, 3},
                           {"conv4a", 256, 512, 0}, {"conv4b", 512, 512, 4},
                           {"conv5a", 512, 512, 0}, {"conv5b", 512, 512, 5}};

torch::nn::MaxPool3d make_pool(int index) {
  if (index == 1)
    return torch::nn::MaxPool3d(torch::nn::MaxPool3dOptions({1, 2, 2}).stride({1, 2, 2}));
  auto o = torch::nn::MaxPool3dOptions({2, 2, 2}).stride({2, 2, 2});
  if (index == 5) o.padding({0, 1, 1});
  return torch::nn::MaxPool3d(o);
}

Value type_cfg(const char* type) {
  Dict d;
  d.set("type", Value(type));
  return Value(d);
}

}  // namespace

C3DImpl::C3DImpl(const C3DOptions& o) : options(o) {
  Value conv_cfg = o.conv_cfg().is_none() ? type_cfg("Conv3d") : o.conv_cfg();
  Value act_cfg = o.act_cfg().is_none() ? type_cfg("ReLU") : o.act_cfg();
  for (const ConvSpec& c : kConvs) {
    ConvModule conv = register_module(c.name, ConvModule(ConvModuleOptions(c.in, c.out, {3})
                                                             .padding({1})
                                                             .conv_cfg(conv_cfg)
                                                             .norm_cfg(o.norm_cfg())
                                                             .act_cfg(act_cfg)
                                                             .path(o.path() + "." + c.name)));
    torch::nn::MaxPool3d pool{nullptr};
    if (c.pool) pool = register_module("pool" + std::to_string(c.pool), make_pool(c.pool));
    stages_.emplace_back(conv, pool);
  }
  fc6_ = register_module("fc6", torch::nn::Linear(o.out_dim(), 4096));
  fc7_ = register_module("fc7", torch::nn::Linear(4096, 4096));
  dropout_ = register_module("dropout", torch::nn::Dropout(o.dropout_ratio()));
  for (auto& m : modules(/*include_self=*/false)) {
    if (m->as<torch::nn::Conv3d>())
      kaiming_init(*m);
    else if (m->as<torch::nn::Linear>())
      normal_init(*m, 0, o.init_std());
    else if (m->as<torch::nn::BatchNorm3d>())
      constant_init(*m, 1);
  }
}

std::vector<torch::Tensor> C3DImpl::forward_features(const torch::Tensor& input) {
  torch::Tensor x = input;
  for (auto& [conv, pool] : stages_) {
    x = conv(x);
    if (pool) x = pool(x);
  }
  x = torch::relu(fc6_(x.flatten(1)));
  x = dropout_(x);
  return {torch::relu(fc7_(x))};
}

namespace {

std::shared_ptr<Backbone> build_c3d(Args& args) {
  if (args.get<std::optional<std::string>>("pretrained", std::nullopt))
    throw args.error("pretrained", "loading pretrained weights is not supported yet; use None");
  std::string style = args.get("style", "pytorch");
  if (style != "pytorch" && style != "caffe")
    throw args.error("style", "style must be 'pytorch' or 'caffe'");
  C3DOptions o;
  o.conv_cfg(args.get("conv_cfg", Value()))
      .norm_cfg(args.get("norm_cfg", Value()))
      .act_cfg(args.get("act_cfg", Value()))
      .out_dim(args.get<int64_t>("out_dim", 8192))
      .dropout_ratio(args.get("dropout_ratio", 0.5))
      .init_std(args.get("init_std", 0.005))
      .path(args.path());
  return std::make_shared<C3DImpl>(o);
}

}  // namespace

TUBELET_REGISTER(BACKBONES, C3D, build_c3d);

}  // namespace tubelet
