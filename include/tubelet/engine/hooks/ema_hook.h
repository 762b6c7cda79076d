// mmcv 1.7.0's EMAHook (runner/hooks/ema.py): an exponential moving average of every model
// parameter, ema = (1 - m) * ema + m * param, updated after each training iteration whose
// runner.iter is a multiple of `interval`, with m = min(momentum**interval,
// (1 + iter) / (warm_up + iter)).
//
// As in mmcv the averages are buffers of the top-level model, one per parameter, named
// "ema_" + the parameter's name with '.' turned into '_' ("ema_backbone_conv1_conv_weight"),
// registered in before_run as copies of the parameters, so checkpoints carry them and
// resume (resume_from, or the runner's own) restores them. The averages and the parameters
// are swapped after each training epoch (so the hooks after it, EvalHook, see the averaged
// weights) and swapped back before the next (and before the first, where both are equal).
// Built from custom_hooks at its given priority (NORMAL by default, as mmcv registers it).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "tubelet/engine/hook.h"

namespace tubelet {

struct EMAHookOptions {
  double momentum = 0.0002;
  int64_t interval = 1;
  int64_t warm_up = 100;
  std::optional<std::string> resume_from;
};

class EMAHook : public Hook {
 public:
  explicit EMAHook(EMAHookOptions options);
  std::string type() const override { return "EMAHook"; }
  const EMAHookOptions& options() const { return options_; }

  void before_run(Runner& runner) override;
  void after_train_iter(Runner& runner) override;
  void before_train_epoch(Runner& runner) override;
  void after_train_epoch(Runner& runner) override;

  // mmcv's buffer name for a parameter: "ema_" + name with '.' -> '_'.
  static std::string buffer_name(const std::string& parameter_name);

 private:
  void swap_ema_parameters();

  EMAHookOptions options_;
  double effective_momentum_;  // momentum ** interval
  // (parameter, its EMA buffer), in named_parameters() order.
  std::vector<std::pair<torch::Tensor, torch::Tensor>> pairs_;
};

}  // namespace tubelet
