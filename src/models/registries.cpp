// The one definition of each model registry. Function-local statics: a module's static
// registration may run before this file's globals would have been constructed.
#include "tubelet/models/registries.h"

#include "tubelet/models/backbone.h"
#include "tubelet/models/detector.h"
#include "tubelet/models/head.h"
#include "tubelet/models/localizer.h"
#include "tubelet/models/loss.h"
#include "tubelet/models/neck.h"
#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet {

TUBELET_DEFINE_REGISTRY(Registry<Backbone>, BACKBONES)
TUBELET_DEFINE_REGISTRY(Registry<Neck>, NECKS)
TUBELET_DEFINE_REGISTRY(Registry<Head>, HEADS)
TUBELET_DEFINE_REGISTRY(Registry<BaseRecognizerImpl>, RECOGNIZERS)
TUBELET_DEFINE_REGISTRY(Registry<Localizer>, LOCALIZERS)
TUBELET_DEFINE_REGISTRY(Registry<Detector>, DETECTORS)
TUBELET_DEFINE_REGISTRY(Registry<Loss>, LOSSES)

// Created up front so that `list-modules` shows every registry, empty ones included.
static const bool model_registries_created = [] {
  BACKBONES(), NECKS(), HEADS(), RECOGNIZERS(), LOCALIZERS(), LOSSES(), DETECTORS();
  return true;
}();

}  // namespace tubelet
