// MMAction2's Conv2plus1d in CONV_LAYERS (R(2+1)D): a spatial 1xkxk conv to a middle width,
// its norm and a ReLU, then a temporal kx1x1 conv. Children conv_s, bn_s, relu, conv_t as in
// MMAction2, so checkpoint keys read ...conv1.conv.conv_s.weight, ...conv1.conv.bn_s.bias.
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>

#include "tubelet/models/layers.h"

namespace tubelet {

namespace {

class Conv2plus1dImpl : public torch::nn::Module {
 public:
  Conv2plus1dImpl(int64_t in, int64_t out, const IntOrTuple& k, const IntOrTuple& stride,
                  const IntOrTuple& padding, bool bias, const Value& norm_cfg,
                  const std::string& path) {
    // The middle width keeps the parameter count of a full txkxk conv (R(2+1)D paper):
    // floor(t * k^2 * in * out / (k^2 * in + t * out)) with MMAction2's t = 3.
    int64_t mid = 3 * (in * out * k[1] * k[2]) / (in * k[1] * k[2] + 3 * out);
    conv_s_ = register_module("conv_s",
                              torch::nn::Conv3d(torch::nn::Conv3dOptions(in, mid, {1, k[1], k[2]})
                                                    .stride({1, stride[1], stride[2]})
                                                    .padding({0, padding[1], padding[2]})
                                                    .bias(bias)));
    bn_s_ = build_norm_layer(norm_cfg, mid, "", path + ".norm_cfg").second;
    register_module("bn_s", bn_s_.ptr());
    relu_ = register_module("relu", torch::nn::ReLU(torch::nn::ReLUOptions(true)));
    conv_t_ =
        register_module("conv_t", torch::nn::Conv3d(torch::nn::Conv3dOptions(mid, out, {k[0], 1, 1})
                                                        .stride({stride[0], 1, 1})
                                                        .padding({padding[0], 0, 0})
                                                        .bias(bias)));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return conv_t_(relu_(bn_s_.forward(conv_s_(x))));
  }

 private:
  torch::nn::Conv3d conv_s_{nullptr}, conv_t_{nullptr};
  torch::nn::AnyModule bn_s_;
  torch::nn::ReLU relu_{nullptr};
};
TORCH_MODULE(Conv2plus1d);

// An int or 3 ints, as torch's _triple.
IntOrTuple triple(Args& args, const char* key, int64_t fallback) {
  const Value* v = args.find(key);
  if (!v) return IntOrTuple(3, fallback);
  if (v->is_int()) return IntOrTuple(3, v->as_int());
  auto items = ArgConverter<std::vector<int64_t>>::from(*v);
  if (!items || (items->size() != 1 && items->size() != 3))
    throw args.error(key, std::string("Conv2plus1d's '") + key + "' must be an int or 3 ints");
  return items->size() == 1 ? IntOrTuple(3, (*items)[0]) : *items;
}

std::shared_ptr<torch::nn::AnyModule> build_conv2plus1d(Args& args) {
  int64_t in = args.required<int64_t>("in_channels"), out = args.required<int64_t>("out_channels");
  IntOrTuple kernel = triple(args, "kernel_size", 1), stride = triple(args, "stride", 1),
             padding = triple(args, "padding", 0);
  // MMAction2 stores dilation and groups without using them.
  args.find("dilation");
  args.get<int64_t>("groups", 1);
  bool bias = args.get("bias", true);
  Dict bn3d;
  bn3d.set("type", Value("BN3d"));
  Value norm_cfg = args.get("norm_cfg", Value(bn3d));
  return std::make_shared<torch::nn::AnyModule>(
      Conv2plus1d(in, out, kernel, stride, padding, bias, norm_cfg, args.path()));
}

}  // namespace

TUBELET_REGISTER(CONV_LAYERS, Conv2plus1d, build_conv2plus1d);

}  // namespace tubelet
