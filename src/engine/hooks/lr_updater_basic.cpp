// mmcv's simple LR policies: Fixed, Step, Exp, Poly and Inv; and MMAction2's own
// RelativeStepLrUpdaterHook (mmaction/core/lr/multigridlr.py).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "tubelet/engine/hooks/lr_updater_hook.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

namespace {

class FixedLrUpdaterHook : public LrUpdaterHook {
 public:
  using LrUpdaterHook::LrUpdaterHook;
  double get_lr(const Runner&, double base_lr) const override { return base_lr; }
  std::string type() const override { return "FixedLrUpdaterHook"; }
};

// lr = base_lr * gamma ** (decays so far), clipped below at min_lr when given.
class StepLrUpdaterHook : public LrUpdaterHook {
 public:
  StepLrUpdaterHook(const Options& options, StepMilestones step, double gamma,
                    std::optional<double> min_lr)
      : LrUpdaterHook(options), step_(std::move(step)), gamma_(gamma), min_lr_(min_lr) {}

  double get_lr(const Runner& runner, double base_lr) const override {
    const double exp = static_cast<double>(step_.exponent(progress(runner)));
    double lr = base_lr * std::pow(gamma_, exp);
    if (min_lr_) lr = std::max(lr, *min_lr_);
    return lr;
  }
  std::string type() const override { return "StepLrUpdaterHook"; }

 private:
  StepMilestones step_;
  double gamma_;
  std::optional<double> min_lr_;
};

class ExpLrUpdaterHook : public LrUpdaterHook {
 public:
  ExpLrUpdaterHook(const Options& options, double gamma) : LrUpdaterHook(options), gamma_(gamma) {}
  double get_lr(const Runner& runner, double base_lr) const override {
    return base_lr * std::pow(gamma_, static_cast<double>(progress(runner)));
  }
  std::string type() const override { return "ExpLrUpdaterHook"; }

 private:
  double gamma_;
};

class PolyLrUpdaterHook : public LrUpdaterHook {
 public:
  PolyLrUpdaterHook(const Options& options, double power, double min_lr)
      : LrUpdaterHook(options), power_(power), min_lr_(min_lr) {}
  double get_lr(const Runner& runner, double base_lr) const override {
    const double coeff = std::pow(
        1 - static_cast<double>(progress(runner)) / static_cast<double>(max_progress(runner)),
        power_);
    return (base_lr - min_lr_) * coeff + min_lr_;
  }
  std::string type() const override { return "PolyLrUpdaterHook"; }

 private:
  double power_;
  double min_lr_;
};

class InvLrUpdaterHook : public LrUpdaterHook {
 public:
  InvLrUpdaterHook(const Options& options, double gamma, double power)
      : LrUpdaterHook(options), gamma_(gamma), power_(power) {}
  double get_lr(const Runner& runner, double base_lr) const override {
    return base_lr * std::pow(1 + gamma_ * static_cast<double>(progress(runner)), -power_);
  }
  std::string type() const override { return "InvLrUpdaterHook"; }

 private:
  double gamma_;
  double power_;
};

// MMAction2's RelativeStepLrUpdaterHook (its multigrid schedule): a linear warmup from
// warmuplr_start to lrs[0] while progress <= warmup_epochs, then lrs[i] for the first steps[i]
// that progress is below. base_lr is not used. (MMAction2's constructor also takes the runner,
// only to call before_run early; here the runner calls it.) Past the last step MMAction2's
// get_lr returns None and the optimizer step fails on it; here that is an error at once.
class RelativeStepLrUpdaterHook : public LrUpdaterHook {
 public:
  RelativeStepLrUpdaterHook(const Options& options, std::vector<int64_t> steps,
                            std::vector<double> lrs, int64_t warmup_epochs, double warmuplr_start)
      : LrUpdaterHook(options),
        steps_(std::move(steps)),
        lrs_(std::move(lrs)),
        warmup_epochs_(warmup_epochs),
        warmuplr_start_(warmuplr_start) {}

  double get_lr(const Runner& runner, double) const override {
    const int64_t p = progress(runner);
    if (p <= warmup_epochs_) {
      const double alpha = (lrs_.front() - warmuplr_start_) / static_cast<double>(warmup_epochs_);
      return static_cast<double>(p) * alpha + warmuplr_start_;
    }
    for (size_t i = 0; i < steps_.size(); ++i)
      if (p < steps_[i]) return lrs_[i];
    throw std::runtime_error(
        "RelativeStepLrUpdaterHook: " + std::string(by_epoch() ? "epoch " : "iteration ") +
        std::to_string(p) + " is past the last of steps (" + std::to_string(steps_.back()) +
        "), where MMAction2's get_lr returns None: make the last step cover the whole run");
  }
  std::string type() const override { return "RelativeStepLrUpdaterHook"; }

 private:
  std::vector<int64_t> steps_;
  std::vector<double> lrs_;
  int64_t warmup_epochs_;
  double warmuplr_start_;
};

std::shared_ptr<Hook> build_fixed(Args& args) {
  return build_checked(args, [&] {
    return std::make_shared<FixedLrUpdaterHook>(LrUpdaterHook::read_options(args));
  });
}

std::shared_ptr<Hook> build_step(Args& args) {
  return build_checked(args, [&] {
    StepMilestones step(args.required<Value>("step"));
    double gamma = args.get<double>("gamma", 0.1);
    auto min_lr = args.get<std::optional<double>>("min_lr", std::nullopt);
    return std::make_shared<StepLrUpdaterHook>(LrUpdaterHook::read_options(args), std::move(step),
                                               gamma, min_lr);
  });
}

std::shared_ptr<Hook> build_exp(Args& args) {
  return build_checked(args, [&] {
    double gamma = args.required<double>("gamma");
    return std::make_shared<ExpLrUpdaterHook>(LrUpdaterHook::read_options(args), gamma);
  });
}

std::shared_ptr<Hook> build_poly(Args& args) {
  return build_checked(args, [&] {
    double power = args.get<double>("power", 1.0);
    double min_lr = args.get<double>("min_lr", 0.0);
    return std::make_shared<PolyLrUpdaterHook>(LrUpdaterHook::read_options(args), power, min_lr);
  });
}

std::shared_ptr<Hook> build_inv(Args& args) {
  return build_checked(args, [&] {
    double gamma = args.required<double>("gamma");
    double power = args.get<double>("power", 1.0);
    return std::make_shared<InvLrUpdaterHook>(LrUpdaterHook::read_options(args), gamma, power);
  });
}

std::shared_ptr<Hook> build_relative_step_lr(Args& args) {
  return build_checked(args, [&] {
    auto steps = args.required<std::vector<int64_t>>("steps");
    auto lrs = args.required<std::vector<double>>("lrs");
    const int64_t warmup_epochs = args.get<int64_t>("warmup_epochs", 34);
    const double warmuplr_start = args.get<double>("warmuplr_start", 0.01);
    // MMAction2 asserts len(steps) == len(lrs) and reads lrs[0]; a zero warmup_epochs divides
    // by zero at the first get_lr (ZeroDivisionError): both refused here, when built.
    if (steps.empty() || steps.size() != lrs.size())
      throw args.error("lrs", "steps and lrs must be non-empty and of the same length");
    if (warmup_epochs == 0)
      throw args.error("warmup_epochs",
                       "warmup_epochs=0 divides by zero (MMAction2 raises ZeroDivisionError); "
                       "give a negative value for no warmup");
    return std::make_shared<RelativeStepLrUpdaterHook>(LrUpdaterHook::read_options(args),
                                                       std::move(steps), std::move(lrs),
                                                       warmup_epochs, warmuplr_start);
  });
}

}  // namespace

TUBELET_REGISTER(HOOKS, FixedLrUpdaterHook, build_fixed);
TUBELET_REGISTER(HOOKS, StepLrUpdaterHook, build_step);
TUBELET_REGISTER(HOOKS, ExpLrUpdaterHook, build_exp);
TUBELET_REGISTER(HOOKS, PolyLrUpdaterHook, build_poly);
TUBELET_REGISTER(HOOKS, InvLrUpdaterHook, build_inv);
TUBELET_REGISTER(HOOKS, RelativeStepLrUpdaterHook, build_relative_step_lr);

}  // namespace tubelet
