// HOOKS, as mmcv names it: what the runner calls at its fixed points.
#pragma once

#include "tubelet/registry.h"

namespace tubelet {

class Hook;  // the runner's hook interface (see the engine)
Registry<Hook>& HOOKS();

}  // namespace tubelet
