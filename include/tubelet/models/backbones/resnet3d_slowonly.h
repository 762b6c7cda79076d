// MMAction2's ResNet3dSlowOnly: the slow pathway of SlowFast on its own (no laterals), with
// conv1_kernel (1, 7, 7), inflate (0, 0, 1, 1) and no pool2 by default.
#pragma once

#include "tubelet/models/backbones/resnet3d_slowfast.h"

namespace tubelet {

// Builds a ResNet3dPathway; its forward is ResNet3d's.
ResNet3dOptions resnet3d_slowonly_options(Args& args);

}  // namespace tubelet
