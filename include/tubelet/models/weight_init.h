// mmcv's weight initialisers (mmcv/cnn/utils/weight_init.py), applied to a layer's
// `weight` and `bias` where it has them.
#pragma once

#include <torch/nn/module.h>

namespace tubelet {

// kaiming_init(mode='fan_out', nonlinearity='relu', distribution='normal', bias=0).
void kaiming_init(torch::nn::Module& layer, double a = 0, bool fan_out = true, bool leaky = false);
// constant_init(val, bias=0).
void constant_init(torch::nn::Module& layer, double value, double bias = 0);
// normal_init(mean=0, std=1, bias=0).
void normal_init(torch::nn::Module& layer, double mean, double std, double bias = 0);

}  // namespace tubelet
