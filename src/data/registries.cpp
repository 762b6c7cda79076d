// The one definition of each data registry. Function-local statics: a module's static
// registration may run before this file's globals would have been constructed.
#include "tubelet/data/registries.h"
#include "tubelet/data/blendings/base_blending.h"

namespace tubelet {

TUBELET_DEFINE_REGISTRY(Registry<Dataset>, DATASETS)
TUBELET_DEFINE_REGISTRY(Registry<Transform>, PIPELINES)
TUBELET_DEFINE_REGISTRY(Registry<BaseMiniBatchBlending>, BLENDINGS)

// Created up front so that `list-modules` shows every registry, empty ones included.
static const bool data_registries_created = [] {
  DATASETS(), PIPELINES(), BLENDINGS();
  return true;
}();

}  // namespace tubelet
