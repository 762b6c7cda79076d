#include "tubelet/models/weight_init.h"

#include <torch/nn/init.h>

namespace tubelet {

namespace {

torch::Tensor* own(torch::OrderedDict<std::string, torch::Tensor>& params, const char* name) {
  return params.find(name);
}

void init_bias(torch::nn::Module& layer, double bias) {
  auto params = layer.named_parameters(/*recurse=*/false);
  if (torch::Tensor* b = own(params, "bias"); b && b->defined())
    torch::nn::init::constant_(*b, bias);
}

}  // namespace

void kaiming_init(torch::nn::Module& layer, double a, bool fan_out, bool leaky) {
  torch::NoGradGuard no_grad;
  auto params = layer.named_parameters(/*recurse=*/false);
  if (torch::Tensor* w = own(params, "weight")) {
    torch::nn::init::NonlinearityType nonlinearity = torch::kReLU;
    if (leaky) nonlinearity = torch::kLeakyReLU;
    torch::nn::init::FanModeType mode = torch::kFanIn;
    if (fan_out) mode = torch::kFanOut;
    torch::nn::init::kaiming_normal_(*w, a, mode, nonlinearity);
  }
  init_bias(layer, 0);
}

void constant_init(torch::nn::Module& layer, double value, double bias) {
  torch::NoGradGuard no_grad;
  auto params = layer.named_parameters(/*recurse=*/false);
  if (torch::Tensor* w = own(params, "weight")) torch::nn::init::constant_(*w, value);
  init_bias(layer, bias);
}

void normal_init(torch::nn::Module& layer, double mean, double std, double bias) {
  torch::NoGradGuard no_grad;
  auto params = layer.named_parameters(/*recurse=*/false);
  if (torch::Tensor* w = own(params, "weight")) torch::nn::init::normal_(*w, mean, std);
  init_bias(layer, bias);
}

}  // namespace tubelet
