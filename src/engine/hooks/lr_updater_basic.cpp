// mmcv's simple LR policies: Fixed, Step, Exp, Poly and Inv.
#include <algorithm>
#include <cmath>

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

}  // namespace

TUBELET_REGISTER(HOOKS, FixedLrUpdaterHook, build_fixed);
TUBELET_REGISTER(HOOKS, StepLrUpdaterHook, build_step);
TUBELET_REGISTER(HOOKS, ExpLrUpdaterHook, build_exp);
TUBELET_REGISTER(HOOKS, PolyLrUpdaterHook, build_poly);
TUBELET_REGISTER(HOOKS, InvLrUpdaterHook, build_inv);

}  // namespace tubelet
