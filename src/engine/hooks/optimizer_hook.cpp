// mmcv's OptimizerHook: backward, optional gradient clipping (logged as grad_norm), step.
#include "tubelet/args.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/hooks/grad_clip.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

namespace {

class OptimizerHook : public Hook {
 public:
  explicit OptimizerHook(std::optional<GradClip> grad_clip) : grad_clip_(grad_clip) {}
  std::string type() const override { return "OptimizerHook"; }

  void after_train_iter(Runner& runner) override {
    runner.optimizer().zero_grad();
    runner.outputs().loss.backward();
    if (grad_clip_) clip_grads(runner, *grad_clip_);
    runner.optimizer().step();
  }

 private:
  std::optional<GradClip> grad_clip_;
};

std::shared_ptr<Hook> build_optimizer_hook(Args& args) {
  std::optional<GradClip> clip = read_grad_clip(args);
  if (args.get("detect_anomalous_params", false))
    throw args.error("detect_anomalous_params", "detect_anomalous_params is not supported");
  return std::make_shared<OptimizerHook>(clip);
}

}  // namespace

TUBELET_REGISTER(HOOKS, OptimizerHook, build_optimizer_hook);

}  // namespace tubelet
