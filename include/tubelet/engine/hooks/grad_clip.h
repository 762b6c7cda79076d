// mmcv's OptimizerHook.grad_clip, shared by the optimizer hooks: the config's
// grad_clip=dict(max_norm, norm_type) and clip_grads, which logs the total norm as grad_norm.
#pragma once

#include <optional>

#include "tubelet/args.h"

namespace tubelet {

class Runner;

struct GradClip {
  double max_norm = 0;
  double norm_type = 2;
};

// The hook's `grad_clip` argument (None: no clipping).
std::optional<GradClip> read_grad_clip(Args& args);

// clip_grad_norm_ over the model's parameters that have a gradient; the norm before
// clipping goes to the log buffer as grad_norm. Nothing happens without such parameters.
void clip_grads(Runner& runner, const GradClip& clip);

}  // namespace tubelet
