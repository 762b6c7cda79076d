// The model registries, named as MMAction2 names them. Each is typed by the base class of what
// it builds, so that registering a class in the wrong one fails to compile; all are
// torch::nn::Modules whose register_module names are the checkpoint keys.
#pragma once

#include "tubelet/registry.h"

namespace tubelet {

class Backbone;
class Neck;
class Head;
class Loss;
class BaseRecognizerImpl;
class Localizer;
class Detector;

TUBELET_REGISTRY_BASE(Backbone, "tubelet/models/backbone.h");
TUBELET_REGISTRY_BASE(Neck, "tubelet/models/neck.h");
TUBELET_REGISTRY_BASE(Head, "tubelet/models/head.h");
TUBELET_REGISTRY_BASE(Loss, "tubelet/models/loss.h");
TUBELET_REGISTRY_BASE(BaseRecognizerImpl, "tubelet/models/recognizers/base_recognizer.h");
TUBELET_REGISTRY_BASE(Localizer, "tubelet/models/localizer.h");
TUBELET_REGISTRY_BASE(Detector, "tubelet/models/detector.h");

Registry<Backbone>& BACKBONES();
Registry<Neck>& NECKS();
Registry<Head>& HEADS();
Registry<BaseRecognizerImpl>& RECOGNIZERS();
Registry<Localizer>& LOCALIZERS();
// mmdet's DETECTORS, which MMAction2 builds its spatio-temporal detectors (FastRCNN) from.
Registry<Detector>& DETECTORS();
Registry<Loss>& LOSSES();

}  // namespace tubelet
