// mmcv's OptimizerHook: backward, optional gradient clipping (logged as grad_norm), step.
#include <torch/nn/utils/clip_grad.h>

#include "tubelet/args.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

namespace {

struct GradClip {
  double max_norm = 0;
  double norm_type = 2;
};

class OptimizerHook : public Hook {
 public:
  explicit OptimizerHook(std::optional<GradClip> grad_clip) : grad_clip_(grad_clip) {}
  std::string type() const override { return "OptimizerHook"; }

  void after_train_iter(Runner& runner) override {
    runner.optimizer().zero_grad();
    runner.outputs().loss.backward();
    if (grad_clip_) clip(runner);
    runner.optimizer().step();
  }

 private:
  void clip(Runner& runner) {
    std::vector<torch::Tensor> params;
    for (const auto& p : runner.model().parameters())
      if (p.requires_grad() && p.grad().defined()) params.push_back(p);
    if (params.empty()) return;
    double norm =
        torch::nn::utils::clip_grad_norm_(params, grad_clip_->max_norm, grad_clip_->norm_type);
    runner.log_buffer().update({{"grad_norm", norm}}, runner.outputs().num_samples);
  }

  std::optional<GradClip> grad_clip_;
};

std::shared_ptr<Hook> build_optimizer_hook(Args& args) {
  std::optional<GradClip> clip;
  if (auto cfg = args.get<std::optional<Dict>>("grad_clip", std::nullopt)) {
    Args clip_args(Value(*cfg), "grad_clip", args.path() + ".grad_clip");
    clip = GradClip{clip_args.required<double>("max_norm"), clip_args.get("norm_type", 2.0)};
    clip_args.get("error_if_nonfinite", false);
    clip_args.finish();
  }
  if (args.get("detect_anomalous_params", false))
    throw args.error("detect_anomalous_params", "detect_anomalous_params is not supported");
  return std::make_shared<OptimizerHook>(clip);
}

}  // namespace

TUBELET_REGISTER(HOOKS, OptimizerHook, build_optimizer_hook);

}  // namespace tubelet
