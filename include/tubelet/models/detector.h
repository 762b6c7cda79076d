// What DETECTORS builds (mmdet's registry, which MMAction2's spatio-temporal detectors use):
// a model the runner trains and tests, whose test results are per-class box records.
#pragma once

#include <torch/nn/module.h>

#include "tubelet/models/trainable.h"

namespace tubelet {

class Detector : public torch::nn::Module, public Trainable {};

}  // namespace tubelet
