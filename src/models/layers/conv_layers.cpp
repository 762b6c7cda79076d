// CONV_LAYERS: PyTorch's convolutions under mmcv's names (Conv is Conv2d).
#include <torch/nn/modules/conv.h>

#include <algorithm>
#include <array>

#include "tubelet/models/layers.h"

namespace tubelet {

namespace {

// An int, or a list/tuple of D ints, as torch's _pair/_triple accept.
template <size_t D>
torch::ExpandingArray<D> read_size(Args& args, const char* key, int64_t fallback) {
  const Value* v = args.find(key);
  std::vector<int64_t> out(D, fallback);
  if (v && v->is_int()) {
    out.assign(D, v->as_int());
  } else if (v) {
    auto items = ArgConverter<std::vector<int64_t>>::from(*v);
    if (!items || (items->size() != 1 && items->size() != D))
      throw args.error(key, std::string("argument '") + key + "' expects an int or " +
                                std::to_string(D) + " ints, got " + repr(*v));
    out = items->size() == 1 ? std::vector<int64_t>(D, (*items)[0]) : *items;
  }
  // Through std::array: ExpandingArray's by-value std::vector constructor makes GCC 12 warn
  // (-Wmaybe-uninitialized, a false positive) with LibTorch 2.x's headers.
  std::array<int64_t, D> sizes{};
  std::copy_n(out.begin(), D, sizes.begin());
  return torch::ExpandingArray<D>(sizes);
}

template <size_t D, class Conv, class Options>
std::shared_ptr<torch::nn::AnyModule> build_conv(Args& args) {
  Options o(args.required<int64_t>("in_channels"), args.required<int64_t>("out_channels"),
            read_size<D>(args, "kernel_size", 1));
  o.stride(read_size<D>(args, "stride", 1))
      .padding(read_size<D>(args, "padding", 0))
      .dilation(read_size<D>(args, "dilation", 1))
      .groups(args.get<int64_t>("groups", 1))
      .bias(args.get("bias", true));
  std::string mode = args.get("padding_mode", "zeros");
  if (mode == "zeros")
    o.padding_mode(torch::kZeros);
  else if (mode == "circular")
    o.padding_mode(torch::kCircular);
  else if (mode == "reflect")
    o.padding_mode(torch::kReflect);
  else if (mode == "replicate")
    o.padding_mode(torch::kReplicate);
  else
    throw args.error("padding_mode", "padding_mode must be zeros, circular, reflect or replicate");
  return std::make_shared<torch::nn::AnyModule>(Conv(o));
}

}  // namespace

TUBELET_REGISTER(CONV_LAYERS, Conv1d, (build_conv<1, torch::nn::Conv1d, torch::nn::Conv1dOptions>));
TUBELET_REGISTER(CONV_LAYERS, Conv2d, (build_conv<2, torch::nn::Conv2d, torch::nn::Conv2dOptions>));
TUBELET_REGISTER(CONV_LAYERS, Conv, (build_conv<2, torch::nn::Conv2d, torch::nn::Conv2dOptions>));
TUBELET_REGISTER(CONV_LAYERS, Conv3d, (build_conv<3, torch::nn::Conv3d, torch::nn::Conv3dOptions>));

}  // namespace tubelet
