// MMAction2's ResNet3dCSN (channel-separated networks): ResNet3d with CSNBottleneck3d
// blocks, whose conv2 is a depthwise 3x3x3 conv ("ir") or a 1x1x1 conv then one ("ip"),
// keys ...conv2.0.conv.weight (and conv2.1 with "ip"). Depths 50, 101, 152.
#pragma once

#include "tubelet/models/backbones/resnet3d.h"

namespace tubelet {

// Its defaults: temporal_strides (1, 2, 2, 2), BN3d with eps 1e-3, inflate_style 3x3x3,
// bottleneck_mode "ir"; bn_frozen also freezes the norms' parameters under norm_eval.
ResNet3dOptions resnet3d_csn_options(Args& args);

}  // namespace tubelet
