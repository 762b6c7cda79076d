// mmcv 1.7.0's GradientCumulativeOptimizerHook: the gradients of `cumulative_iters`
// iterations are summed, each loss divided by cumulative_iters, before one optimizer step
// (optimizer_config=dict(type='GradientCumulativeOptimizerHook', cumulative_iters=4) trains
// as a batch 4 times larger would, batch norms apart). The iterations left at the end that do
// not fill a whole group are divided by their own count and stepped together at the last
// iteration. As mmcv, gradients are zeroed after each step (not before each backward), and
// a run that resumes mid-group warns that those gradients are lost. With several processes
// every backward is all-reduced, as mmcv does (no no_sync).
#include "tubelet/args.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/hooks/grad_clip.h"
#include "tubelet/engine/runner.h"
#include "tubelet/module_kinds.h"

namespace tubelet {

namespace {

bool has_batch_norm(const torch::nn::Module& model) {
  if (is_batch_norm(model)) return true;
  for (const auto& child : model.children())
    if (has_batch_norm(*child)) return true;
  return false;
}

class GradientCumulativeOptimizerHook : public Hook {
 public:
  GradientCumulativeOptimizerHook(int64_t cumulative_iters, std::optional<GradClip> grad_clip)
      : cumulative_iters_(cumulative_iters), grad_clip_(grad_clip) {}
  std::string type() const override { return "GradientCumulativeOptimizerHook"; }

  void after_train_iter(Runner& runner) override {
    if (!initialized_) init(runner);
    (runner.outputs().loss / static_cast<double>(loss_factor(runner))).backward();
    if (every_n_iters(runner, cumulative_iters_) || is_last_iter(runner)) {
      if (grad_clip_) clip_grads(runner, *grad_clip_);
      runner.optimizer().step();
      runner.optimizer().zero_grad();
    }
  }

 private:
  // On the first iteration of this run (mmcv's _init).
  void init(Runner& runner) {
    if (runner.iter() % cumulative_iters_ != 0)
      runner.logger().warning(
          "Resume iter number is not divisible by cumulative_iters in "
          "GradientCumulativeOptimizerHook, which means the gradient of some iters is lost and "
          "the result may be influenced slightly.");
    if (cumulative_iters_ > 1 && has_batch_norm(runner.model()))
      runner.logger().warning(
          "GradientCumulativeOptimizerHook may slightly decrease performance if the model has "
          "BatchNorm layers.");
    remainder_iters_ = runner.max_iters() % cumulative_iters_;
    initialized_ = true;
  }

  // The last max_iters % cumulative_iters iterations form a smaller group of their own.
  int64_t loss_factor(Runner& runner) const {
    if (runner.iter() < runner.max_iters() - remainder_iters_) return cumulative_iters_;
    runner.logger().warning("Loss will be divided by " + std::to_string(remainder_iters_) +
                            " in the last " + std::to_string(remainder_iters_) +
                            " iterations because they are not enough for " +
                            std::to_string(cumulative_iters_) + " cumulative_iters.");
    return remainder_iters_;
  }

  int64_t cumulative_iters_;
  std::optional<GradClip> grad_clip_;
  bool initialized_ = false;
  int64_t remainder_iters_ = 0;
};

std::shared_ptr<Hook> build_gradient_cumulative_optimizer_hook(Args& args) {
  const int64_t cumulative_iters = args.get<int64_t>("cumulative_iters", 1);
  if (cumulative_iters <= 0)
    throw args.error("cumulative_iters", "cumulative_iters only accepts positive int, but got " +
                                             std::to_string(cumulative_iters) + " instead.");
  std::optional<GradClip> clip = read_grad_clip(args);
  if (args.get("detect_anomalous_params", false))
    throw args.error("detect_anomalous_params", "detect_anomalous_params is not supported");
  return std::make_shared<GradientCumulativeOptimizerHook>(cumulative_iters, clip);
}

}  // namespace

TUBELET_REGISTER(HOOKS, GradientCumulativeOptimizerHook, build_gradient_cumulative_optimizer_hook);

}  // namespace tubelet
