// The one definition of each optimizer registry. Function-local statics: a module's static
// registration may run before this file's globals would have been constructed.
#include "tubelet/optim/registries.h"

namespace tubelet {

TUBELET_DEFINE_REGISTRY(OptimizerRegistry, OPTIMIZERS)
TUBELET_DEFINE_REGISTRY(Registry<OptimizerConstructor>, OPTIMIZER_BUILDERS)

// Created up front so that `list-modules` shows every registry, empty ones included.
static const bool optim_registries_created = [] {
  OPTIMIZERS(), OPTIMIZER_BUILDERS();
  return true;
}();

}  // namespace tubelet
