// The one definition of each named registry. Function-local statics: a module's static
// registration may run before this file's globals would have been constructed.
#include "tubelet/data/registries.h"
#include "tubelet/data/blendings/base_blending.h"
#include "tubelet/engine/registries.h"
#include "tubelet/engine/runner.h"
#include "tubelet/models/registries.h"
#include "tubelet/optim/registries.h"

namespace tubelet {

TUBELET_DEFINE_REGISTRY(ModuleRegistry, BACKBONES)
TUBELET_DEFINE_REGISTRY(ModuleRegistry, NECKS)
TUBELET_DEFINE_REGISTRY(ModuleRegistry, HEADS)
TUBELET_DEFINE_REGISTRY(ModuleRegistry, RECOGNIZERS)
TUBELET_DEFINE_REGISTRY(ModuleRegistry, LOCALIZERS)
TUBELET_DEFINE_REGISTRY(ModuleRegistry, LOSSES)
TUBELET_DEFINE_REGISTRY(OptimizerRegistry, OPTIMIZERS)
TUBELET_DEFINE_REGISTRY(Registry<OptimizerConstructor>, OPTIMIZER_BUILDERS)
TUBELET_DEFINE_REGISTRY(Registry<Hook>, HOOKS)
TUBELET_DEFINE_REGISTRY(RunnerRegistry, RUNNERS)
TUBELET_DEFINE_REGISTRY(Registry<Dataset>, DATASETS)
TUBELET_DEFINE_REGISTRY(Registry<Transform>, PIPELINES)
TUBELET_DEFINE_REGISTRY(Registry<BaseMiniBatchBlending>, BLENDINGS)

// Created up front so that `list-modules` shows every registry, empty ones included.
static const bool registries_created = [] {
  BACKBONES(), NECKS(), HEADS(), RECOGNIZERS(), LOCALIZERS(), LOSSES();
  OPTIMIZERS(), OPTIMIZER_BUILDERS(), HOOKS(), RUNNERS(), DATASETS(), PIPELINES(), BLENDINGS();
  return true;
}();

}  // namespace tubelet
