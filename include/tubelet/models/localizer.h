// What LOCALIZERS builds: a model the runner trains and tests (BSN's TEM and PEM, BMN).
#pragma once

#include <torch/nn/module.h>

#include "tubelet/models/trainable.h"

namespace tubelet {

class Localizer : public torch::nn::Module, public Trainable {};

}  // namespace tubelet
