// HOOKS and RUNNERS, as mmcv names them: the training loops and what they call at fixed points.
#pragma once

#include "tubelet/registry.h"

namespace tubelet {

class Hook;    // the runner's hook interface: tubelet/engine/hook.h
class Runner;  // the training loop: tubelet/engine/runner.h
struct RunnerParts;
Registry<Hook>& HOOKS();
Registry<Runner, RunnerParts>& RUNNERS();

}  // namespace tubelet
