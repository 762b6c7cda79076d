// The one definition of each engine registry. Function-local statics: a module's static
// registration may run before this file's globals would have been constructed.
#include "tubelet/engine/registries.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

TUBELET_DEFINE_REGISTRY(Registry<Hook>, HOOKS)
TUBELET_DEFINE_REGISTRY(RunnerRegistry, RUNNERS)

// Created up front so that `list-modules` shows every registry, empty ones included.
static const bool engine_registries_created = [] {
  HOOKS(), RUNNERS();
  return true;
}();

}  // namespace tubelet
