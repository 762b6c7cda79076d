// The optional top-level `channels_last = True` config key: the model's 4-D weights in
// channels-last memory format (NHWC) and its 5-D weights in channels-last-3d (NDHWC). cuDNN and
// oneDNN convolutions then run in that layout, which is faster on tensor cores; their outputs
// follow the weights' layout, so the inputs need no conversion. The numbers stay those of the
// default layout up to float rounding.
#pragma once

#include <torch/nn/module.h>

#include "tubelet/config/value.h"

namespace tubelet {

// The config's `channels_last`, false when absent; an error naming the key when it is not a
// bool.
bool channels_last_requested(const Dict& cfg);

// Every parameter and buffer of `module` with 4 or 5 dimensions, in place (their data, so the
// module's tensors, optimizer state and checkpoint keys are the same objects). `with_3d` false
// leaves the 5-D ones as they are (inference's CPU default: only 2D convs measured faster).
void to_channels_last(torch::nn::Module& module, bool with_3d = true);

}  // namespace tubelet
