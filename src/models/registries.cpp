// The one definition of each model registry. Function-local statics: a module's static
// registration may run before this file's globals would have been constructed.
#include "tubelet/models/registries.h"

namespace tubelet {

TUBELET_DEFINE_REGISTRY(ModuleRegistry, BACKBONES)
TUBELET_DEFINE_REGISTRY(ModuleRegistry, NECKS)
TUBELET_DEFINE_REGISTRY(ModuleRegistry, HEADS)
TUBELET_DEFINE_REGISTRY(ModuleRegistry, RECOGNIZERS)
TUBELET_DEFINE_REGISTRY(ModuleRegistry, LOCALIZERS)
TUBELET_DEFINE_REGISTRY(ModuleRegistry, LOSSES)

// Created up front so that `list-modules` shows every registry, empty ones included.
static const bool model_registries_created = [] {
  BACKBONES(), NECKS(), HEADS(), RECOGNIZERS(), LOCALIZERS(), LOSSES();
  return true;
}();

}  // namespace tubelet
