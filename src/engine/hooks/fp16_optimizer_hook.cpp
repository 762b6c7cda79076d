#include "tubelet/engine/hooks/fp16_optimizer_hook.h"

#include "tubelet/args.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/hooks/grad_clip.h"
#include "tubelet/engine/runner.h"
#include "tubelet/torch_compat.h"

namespace tubelet {

LossScaler::LossScaler(Options options) : options_(options), scale_(options.init_scale) {
  if (options_.init_scale <= 0) throw std::invalid_argument("loss scale must be positive");
  if (options_.growth_factor <= 1.0) throw std::invalid_argument("growth_factor should be > 1");
  if (options_.backoff_factor >= 1.0 || options_.backoff_factor <= 0)
    throw std::invalid_argument("backoff_factor should be < 1");
  if (options_.growth_interval <= 0) throw std::invalid_argument("growth_interval should be > 0");
}

torch::Tensor LossScaler::scale(const torch::Tensor& loss) const {
  return loss * scale_;
}

bool LossScaler::unscale(torch::optim::Optimizer& optimizer) {
  torch::NoGradGuard no_grad;
  found_inf_ = false;
  const double inverse = 1.0 / scale_;
  for (auto& group : optimizer.param_groups())
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      p.mutable_grad().mul_(inverse);
      if (!found_inf_ && !torch::isfinite(p.grad()).all().item<bool>()) found_inf_ = true;
    }
  unscaled_ = true;
  return found_inf_;
}

bool LossScaler::step(torch::optim::Optimizer& optimizer) {
  if (!unscaled_) unscale(optimizer);
  unscaled_ = false;
  if (found_inf_) return false;
  optimizer.step();
  return true;
}

void LossScaler::update(std::optional<double> fixed) {
  if (fixed) {
    scale_ = *fixed;
  } else if (found_inf_) {
    scale_ *= options_.backoff_factor;
    growth_tracker_ = 0;
  } else if (++growth_tracker_ == options_.growth_interval) {
    scale_ *= options_.growth_factor;
    growth_tracker_ = 0;
  }
  found_inf_ = false;
}

Dict LossScaler::state_dict() const {
  Dict d;
  d.set("scale", Value(scale_));
  d.set("growth_factor", Value(options_.growth_factor));
  d.set("backoff_factor", Value(options_.backoff_factor));
  d.set("growth_interval", Value(options_.growth_interval));
  d.set("_growth_tracker", Value(growth_tracker_));
  return d;
}

void LossScaler::load_state_dict(const Dict& state) {
  if (state.empty()) return;  // what a disabled GradScaler saves
  auto number = [&](const char* key) {
    const Value* v = state.find(key);
    if (!v || !v->is_number())
      throw std::invalid_argument(std::string("loss scaler state has no number '") + key + "'");
    return v->as_float();
  };
  scale_ = number("scale");
  options_.growth_factor = number("growth_factor");
  options_.backoff_factor = number("backoff_factor");
  options_.growth_interval = static_cast<int64_t>(number("growth_interval"));
  growth_tracker_ = static_cast<int64_t>(number("_growth_tracker"));
}

namespace {

bool on_cuda(torch::nn::Module& model) {
  for (const auto& p : model.parameters())
    if (p.is_cuda()) return true;
  return false;
}

class Fp16OptimizerHook : public Hook {
 public:
  Fp16OptimizerHook(std::optional<GradClip> clip, LossScaler scaler, std::optional<double> fixed)
      : clip_(clip), scaler_(std::move(scaler)), fixed_(fixed) {}
  std::string type() const override { return "Fp16OptimizerHook"; }

  void before_run(Runner& runner) override {
    enabled_ = on_cuda(runner.model());
    if (!enabled_)
      runner.logger().warning(
          "Fp16OptimizerHook: the model is not on a GPU, so there is no autocast and no loss "
          "scaling (as torch.cuda.amp.GradScaler disables itself without CUDA)");
    const Value* fp16 = runner.meta().find("fp16");
    if (fp16 && fp16->is_dict())
      if (const Value* state = fp16->as_dict().find("loss_scaler"); state && state->is_dict())
        scaler_.load_state_dict(state->as_dict());
  }

  // mmcv's wrap_fp16_model + auto_fp16: the training forward runs under autocast.
  void before_train_iter(Runner&) override {
    if (enabled_) compat::set_cuda_autocast_enabled(true);
  }

  void after_train_iter(Runner& runner) override {
    if (enabled_) {
      compat::set_cuda_autocast_enabled(false);
      at::autocast::clear_cache();
    }
    runner.model().zero_grad();
    runner.optimizer().zero_grad();
    auto& optimizer = runner.optimizer();
    if (!enabled_) {
      runner.outputs().loss.backward();
      clip(runner);
      optimizer.step();
      return;
    }
    scaler_.scale(runner.outputs().loss).backward();
    scaler_.unscale(optimizer);
    clip(runner);
    scaler_.step(optimizer);
    scaler_.update(fixed_);
    Value fp16 = runner.meta().contains("fp16") ? runner.meta().at("fp16") : Value(Dict{});
    if (!fp16.is_dict()) fp16 = Value(Dict{});
    fp16.mutable_dict().set("loss_scaler", Value(scaler_.state_dict()));
    runner.meta().set("fp16", fp16);
  }

 private:
  void clip(Runner& runner) {
    if (clip_) clip_grads(runner, *clip_);
  }

  std::optional<GradClip> clip_;
  LossScaler scaler_;
  std::optional<double> fixed_;
  bool enabled_ = false;
};

// loss_scale: a number (static: GradScaler(init_scale=x), reset to x after every step),
// 'dynamic' (GradScaler()) or a dict of GradScaler's arguments.
std::pair<LossScaler, std::optional<double>> read_loss_scale(Args& args) {
  const Value* v = args.find("loss_scale");
  if (!v) return {LossScaler({512.0}), 512.0};
  if (v->is_number()) return {LossScaler({v->as_float()}), v->as_float()};
  if (v->is_str() && v->as_str() == "dynamic") return {LossScaler(), std::nullopt};
  if (v->is_dict()) {
    Args s(*v, "GradScaler", args.path() + ".loss_scale");
    LossScaler::Options o;
    o.init_scale = s.get("init_scale", o.init_scale);
    o.growth_factor = s.get("growth_factor", o.growth_factor);
    o.backoff_factor = s.get("backoff_factor", o.backoff_factor);
    o.growth_interval = s.get("growth_interval", o.growth_interval);
    s.get("enabled", true);
    s.finish();
    return {LossScaler(o), std::nullopt};
  }
  throw args.error("loss_scale", "loss_scale must be of type float, dict, or \"dynamic\"");
}

std::shared_ptr<Hook> build_fp16_optimizer_hook(Args& args) {
  std::optional<GradClip> clip = read_grad_clip(args);
  // mmcv's coalesce/bucket_size_mb/distributed shape its own all-reduce; DDP reduces here.
  args.get("coalesce", true);
  args.get<int64_t>("bucket_size_mb", -1);
  args.get("distributed", true);
  auto [scaler, fixed] = read_loss_scale(args);
  return std::make_shared<Fp16OptimizerHook>(clip, std::move(scaler), fixed);
}

}  // namespace

TUBELET_REGISTER(HOOKS, Fp16OptimizerHook, build_fp16_optimizer_hook);

}  // namespace tubelet
