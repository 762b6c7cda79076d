// What frozen_stages and norm_eval do to a part of a backbone, as MMAction2's backbones do it.
#pragma once

#include <torch/nn/module.h>

namespace tubelet {

// Eval mode, and no gradient for any of its parameters (a frozen stage).
void freeze(torch::nn::Module& module);
// Every batch norm inside `module` in eval mode (norm_eval: running statistics stay put).
void set_batch_norms_eval(torch::nn::Module& module);

}  // namespace tubelet
