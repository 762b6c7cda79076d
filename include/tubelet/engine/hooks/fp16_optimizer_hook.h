// mmcv's Fp16OptimizerHook (its PyTorch >= 1.6 form): the forward pass under CUDA autocast,
// the loss scaled before backward, the gradients unscaled (and clipped) before the step, a
// step skipped when a gradient is not finite, and the scale kept in runner.meta['fp16']
// ['loss_scaler'] so a resumed run continues with it. Chosen by `fp16 = dict(loss_scale=...)`
// in a config (MMAction2's train_model) or optimizer_config = dict(type='Fp16OptimizerHook').
// As torch.cuda.amp.GradScaler, the scaling switches itself off when the model is not on a
// GPU: a CPU run then trains as with OptimizerHook.
#pragma once

#include <torch/optim/optimizer.h>

#include <optional>

#include "tubelet/config/value.h"

namespace tubelet {

// torch.cuda.amp.GradScaler's arithmetic: loss * scale before backward; gradients / scale
// after; a non-finite gradient skips the step and multiplies the scale by backoff_factor,
// growth_interval finite steps in a row multiply it by growth_factor.
class LossScaler {
 public:
  struct Options {
    double init_scale = 65536.0;
    double growth_factor = 2.0;
    double backoff_factor = 0.5;
    int64_t growth_interval = 2000;
  };
  explicit LossScaler(Options options);
  LossScaler() : LossScaler(Options{}) {}

  torch::Tensor scale(const torch::Tensor& loss) const;
  // Divides every gradient of the optimizer's parameters by the scale; true when one of them
  // holds an inf or nan.
  bool unscale(torch::optim::Optimizer& optimizer);
  // Steps unless unscale found a non-finite gradient; true when it stepped.
  bool step(torch::optim::Optimizer& optimizer);
  // The next scale: `fixed` when given (a static scale), else grown or backed off.
  void update(std::optional<double> fixed = std::nullopt);

  double current_scale() const { return scale_; }
  // GradScaler.state_dict(): scale, growth_factor, backoff_factor, growth_interval,
  // _growth_tracker.
  Dict state_dict() const;
  void load_state_dict(const Dict& state);

 private:
  Options options_;
  double scale_;
  int64_t growth_tracker_ = 0;
  bool found_inf_ = false;
  bool unscaled_ = false;
};

}  // namespace tubelet
