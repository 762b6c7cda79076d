// MMAction2's ConvAudio in CONV_LAYERS (ResNetAudio): a frequency-wise kx1 and a time-wise
// 1xk ConvModule (conv, BN, ReLU each), merged by concatenation or sum. Children conv_1 and
// conv_2, so checkpoint keys read ...conv2.conv.conv_1.conv.weight, ...conv.conv_2.bn.bias.
#include <torch/torch.h>

#include "tubelet/models/common/conv_module.h"
#include "tubelet/models/layers.h"

namespace tubelet {

namespace {

Value type_dict(const char* type) {
  Dict d;
  d.set("type", Value(type));
  return Value(d);
}

class ConvAudioImpl : public torch::nn::Module {
 public:
  // `kernel` and `stride` as (k_time, k_freq); padding keeps the size (k // 2), as in MMAction2,
  // which ignores the padding, dilation and groups it is given.
  ConvAudioImpl(int64_t in, int64_t out, const IntOrTuple& kernel, bool concat,
                const IntOrTuple& stride, bool bias, const std::string& path)
      : concat_(concat) {
    conv_1_ = register_module("conv_1", branch(in, out, {kernel[0], 1}, {kernel[0] / 2, 0}, stride,
                                               bias, path + ".conv_1"));
    conv_2_ = register_module("conv_2", branch(in, out, {1, kernel[1]}, {0, kernel[1] / 2}, stride,
                                               bias, path + ".conv_2"));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor a = conv_1_(x), b = conv_2_(x);
    return concat_ ? torch::cat({a, b}, 1) : a + b;
  }

 private:
  static ConvModule branch(int64_t in, int64_t out, IntOrTuple kernel, IntOrTuple padding,
                           const IntOrTuple& stride, bool bias, const std::string& path) {
    return ConvModule(ConvModuleOptions(in, out, std::move(kernel))
                          .stride(stride)
                          .padding(std::move(padding))
                          .bias(bias ? "true" : "false")
                          .conv_cfg(type_dict("Conv"))
                          .norm_cfg(type_dict("BN"))
                          .act_cfg(type_dict("ReLU"))
                          .path(path));
  }

  bool concat_;
  ConvModule conv_1_{nullptr}, conv_2_{nullptr};
};
TORCH_MODULE(ConvAudio);

// An int or 2 ints, as torch's _pair.
IntOrTuple pair(Args& args, const char* key, int64_t fallback) {
  const Value* v = args.find(key);
  if (!v) return IntOrTuple(2, fallback);
  if (v->is_int()) return IntOrTuple(2, v->as_int());
  auto items = ArgConverter<std::vector<int64_t>>::from(*v);
  if (!items || (items->size() != 1 && items->size() != 2))
    throw args.error(key, std::string("ConvAudio's '") + key + "' must be an int or 2 ints");
  return items->size() == 1 ? IntOrTuple(2, (*items)[0]) : *items;
}

std::shared_ptr<torch::nn::AnyModule> build_conv_audio(Args& args) {
  int64_t in = args.required<int64_t>("in_channels"), out = args.required<int64_t>("out_channels");
  IntOrTuple kernel = pair(args, "kernel_size", 1);
  std::string op = args.get("op", "concat");
  if (op != "concat" && op != "sum") throw args.error("op", "op must be 'concat' or 'sum'");
  IntOrTuple stride = pair(args, "stride", 1);
  pair(args, "padding", 0);  // read and unused, as in MMAction2
  args.find("dilation");
  args.get<int64_t>("groups", 1);
  bool bias = args.get("bias", false);
  return std::make_shared<torch::nn::AnyModule>(
      ConvAudio(in, out, kernel, op == "concat", stride, bias, args.path()));
}

}  // namespace

TUBELET_REGISTER(CONV_LAYERS, ConvAudio, build_conv_audio);

}  // namespace tubelet
