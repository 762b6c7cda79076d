// ACTIVATION_LAYERS under mmcv 1.7.0's names and defaults.
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/functional.h>

#include "tubelet/models/layers.h"

namespace tubelet {

namespace {

using AnyPtr = std::shared_ptr<torch::nn::AnyModule>;

template <class Holder>
AnyPtr any(Holder h) {
  return std::make_shared<torch::nn::AnyModule>(std::move(h));
}

AnyPtr build_relu(Args& args) {
  return any(torch::nn::ReLU(args.get("inplace", false)));
}

AnyPtr build_leaky_relu(Args& args) {
  return any(torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions()
                                      .negative_slope(args.get("negative_slope", 0.01))
                                      .inplace(args.get("inplace", false))));
}

AnyPtr build_prelu(Args& args) {
  return any(torch::nn::PReLU(torch::nn::PReLUOptions()
                                  .num_parameters(args.get<int64_t>("num_parameters", 1))
                                  .init(args.get("init", 0.25))));
}

AnyPtr build_relu6(Args& args) {
  return any(torch::nn::ReLU6(args.get("inplace", false)));
}

AnyPtr build_elu(Args& args) {
  return any(torch::nn::ELU(
      torch::nn::ELUOptions().alpha(args.get("alpha", 1.0)).inplace(args.get("inplace", false))));
}

AnyPtr build_sigmoid(Args&) {
  return any(torch::nn::Sigmoid());
}
AnyPtr build_tanh(Args&) {
  return any(torch::nn::Tanh());
}
AnyPtr build_gelu(Args&) {
  return any(torch::nn::GELU());
}
AnyPtr build_silu(Args& args) {
  args.get("inplace", false);  // accepted as torch.nn.SiLU accepts it; results are equal
  return any(torch::nn::SiLU());
}

// mmcv's Swish: x * sigmoid(x).
AnyPtr build_swish(Args&) {
  return any(torch::nn::Functional([](torch::Tensor x) { return x * torch::sigmoid(x); }));
}

// mmcv's HSwish: x * relu6(x + 3) / 6.
AnyPtr build_hswish(Args& args) {
  args.get("inplace", false);
  return any(torch::nn::Functional(
      [](torch::Tensor x) { return x * torch::clamp(x + 3.0, 0.0, 6.0) / 6.0; }));
}

// mmcv's HSigmoid: clamp((x + bias) / divisor, min_value, max_value).
AnyPtr build_hsigmoid(Args& args) {
  double bias = args.get("bias", 3.0), divisor = args.get("divisor", 6.0);
  double lo = args.get("min_value", 0.0), hi = args.get("max_value", 1.0);
  if (divisor == 0) throw args.error("divisor", "divisor must not be 0");
  return any(torch::nn::Functional(
      [=](torch::Tensor x) { return torch::clamp((x + bias) / divisor, lo, hi); }));
}

// mmcv's Clamp: clamp(x, min, max).
AnyPtr build_clamp(Args& args) {
  double lo = args.get("min", -1.0), hi = args.get("max", 1.0);
  return any(torch::nn::Functional([=](torch::Tensor x) { return torch::clamp(x, lo, hi); }));
}

}  // namespace

TUBELET_REGISTER(ACTIVATION_LAYERS, ReLU, build_relu);
TUBELET_REGISTER(ACTIVATION_LAYERS, LeakyReLU, build_leaky_relu);
TUBELET_REGISTER(ACTIVATION_LAYERS, PReLU, build_prelu);
TUBELET_REGISTER(ACTIVATION_LAYERS, ReLU6, build_relu6);
TUBELET_REGISTER(ACTIVATION_LAYERS, ELU, build_elu);
TUBELET_REGISTER(ACTIVATION_LAYERS, Sigmoid, build_sigmoid);
TUBELET_REGISTER(ACTIVATION_LAYERS, Tanh, build_tanh);
TUBELET_REGISTER(ACTIVATION_LAYERS, GELU, build_gelu);
TUBELET_REGISTER(ACTIVATION_LAYERS, SiLU, build_silu);
TUBELET_REGISTER(ACTIVATION_LAYERS, Swish, build_swish);
TUBELET_REGISTER(ACTIVATION_LAYERS, HSwish, build_hswish);
TUBELET_REGISTER(ACTIVATION_LAYERS, HSigmoid, build_hsigmoid);
TUBELET_REGISTER(ACTIVATION_LAYERS, Clamp, build_clamp);

}  // namespace tubelet
