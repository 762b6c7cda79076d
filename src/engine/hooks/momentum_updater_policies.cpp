// mmcv's momentum policies: Step, CosineAnnealing, LinearAnnealing, Cyclic and OneCycle.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tubelet/engine/hooks/momentum_updater_hook.h"
#include "tubelet/engine/runner.h"
#include "tubelet/optim/group_options.h"

namespace tubelet {

namespace {

using Options = MomentumUpdaterHook::Options;

class StepMomentumUpdaterHook : public MomentumUpdaterHook {
 public:
  StepMomentumUpdaterHook(const Options& options, StepMilestones step, double gamma,
                          std::optional<double> min_momentum)
      : MomentumUpdaterHook(options), step_(std::move(step)), gamma_(gamma), min_(min_momentum) {}
  double get_momentum(const Runner& runner, size_t, double base) const override {
    double m = base * std::pow(gamma_, static_cast<double>(step_.exponent(progress(runner))));
    if (min_) m = std::max(m, *min_);
    return m;
  }
  std::string type() const override { return "StepMomentumUpdaterHook"; }

 private:
  StepMilestones step_;
  double gamma_;
  std::optional<double> min_;
};

struct MinMomentum {
  std::optional<double> min_momentum;
  std::optional<double> min_momentum_ratio;

  static MinMomentum read(Args& args) {
    MinMomentum m{args.get<std::optional<double>>("min_momentum", std::nullopt),
                  args.get<std::optional<double>>("min_momentum_ratio", std::nullopt)};
    if (m.min_momentum.has_value() == m.min_momentum_ratio.has_value())
      throw std::invalid_argument(
          "exactly one of \"min_momentum\" and \"min_momentum_ratio\" must be given");
    return m;
  }
  double target(double base) const {
    return min_momentum_ratio ? base * *min_momentum_ratio : *min_momentum;
  }
};

// CosineAnnealing (cos) and LinearAnnealing (linear) from the base momentum to the target.
class AnnealingMomentumUpdaterHook : public MomentumUpdaterHook {
 public:
  AnnealingMomentumUpdaterHook(const Options& options, MinMomentum min, AnnealFunction anneal,
                               std::string type)
      : MomentumUpdaterHook(options),
        min_(min),
        anneal_(std::move(anneal)),
        type_(std::move(type)) {}
  double get_momentum(const Runner& runner, size_t, double base) const override {
    return anneal_(
        base, min_.target(base),
        static_cast<double>(progress(runner)) / static_cast<double>(max_progress(runner)));
  }
  std::string type() const override { return type_; }

 private:
  MinMomentum min_;
  AnnealFunction anneal_;
  std::string type_;
};

// The momentum counterpart of CyclicLrUpdaterHook (down while the lr goes up, by default).
class CyclicMomentumUpdaterHook : public MomentumUpdaterHook {
 public:
  CyclicMomentumUpdaterHook(const Options& options, CyclicSchedule schedule)
      : MomentumUpdaterHook(options), schedule_(std::move(schedule)) {}

  void before_run(Runner& runner) override {
    MomentumUpdaterHook::before_run(runner);
    schedule_.start(runner.max_iters());
  }

  double get_momentum(const Runner& runner, size_t, double base) const override {
    return schedule_.value(runner.iter(), runner.max_iters(), base, type());
  }
  std::string type() const override { return "CyclicMomentumUpdaterHook"; }

 private:
  CyclicSchedule schedule_;
};

// Momentum cycled inversely to OneCycle's lr: from max_momentum down to base_momentum while
// the lr rises, then back up. before_run sets each group's momentum to its max_momentum.
class OneCycleMomentumUpdaterHook : public MomentumUpdaterHook {
 public:
  struct Phase {
    double end_iter;
    bool start_at_max, end_at_max;
  };

  OneCycleMomentumUpdaterHook(const Options& options, Value base_momentum, Value max_momentum,
                              double pct_start, AnnealFunction anneal, bool three_phase)
      : MomentumUpdaterHook(options),
        base_cfg_(std::move(base_momentum)),
        max_cfg_(std::move(max_momentum)),
        pct_start_(pct_start),
        anneal_(std::move(anneal)),
        three_phase_(three_phase) {}

  void before_run(Runner& runner) override {
    auto& optimizer = runner.optimizer();
    const auto& defaults = optimizer.defaults();
    if (!has_group_option(defaults, "momentum") && !has_group_option(defaults, "betas"))
      throw std::invalid_argument(type() + ": optimizer must support momentum with option enabled");
    auto& groups = optimizer.param_groups();
    const std::string name = optimizer_name_of(defaults);
    base_ = per_group_values(name, groups.size(), base_cfg_);
    max_ = per_group_values(name, groups.size(), max_cfg_);
    for (size_t i = 0; i < groups.size(); ++i) set_group_momentum(groups[i].options(), max_[i]);

    const double max_iters = static_cast<double>(runner.max_iters());
    if (three_phase_)
      phases_ = {{pct_start_ * max_iters - 1, true, false},
                 {2 * pct_start_ * max_iters - 2, false, true},
                 {max_iters - 1, true, true}};
    else
      phases_ = {{pct_start_ * max_iters - 1, true, false}, {max_iters - 1, false, true}};
  }

  double get_momentum(const Runner& runner, size_t group, double) const override {
    const double curr_iter = static_cast<double>(runner.iter());
    double start_iter = 0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& phase = phases_[i];
      if (curr_iter <= phase.end_iter || i + 1 == phases_.size()) {
        const double pct = (curr_iter - start_iter) / (phase.end_iter - start_iter);
        return anneal_(phase.start_at_max ? max_[group] : base_[group],
                       phase.end_at_max ? max_[group] : base_[group], pct);
      }
      start_iter = phase.end_iter;
    }
    return 0.0;
  }
  std::string type() const override { return "OneCycleMomentumUpdaterHook"; }

  // Each group's base_momentum / max_momentum (mmcv keeps them in the param groups).
  const std::vector<double>& base_momentums() const { return base_; }
  const std::vector<double>& max_momentums() const { return max_; }

 protected:
  std::vector<double> regular_momentum(const Runner& runner) const override {
    std::vector<double> out;
    for (size_t i = 0; i < base_.size(); ++i) out.push_back(get_momentum(runner, i, base_[i]));
    return out;
  }

 private:
  Value base_cfg_, max_cfg_;
  double pct_start_;
  AnnealFunction anneal_;
  bool three_phase_;
  std::vector<double> base_, max_;
  std::vector<Phase> phases_;
};

std::shared_ptr<Hook> build_step_momentum(Args& args) {
  return build_checked(args, [&] {
    StepMilestones step(args.required<Value>("step"));
    const double gamma = args.get<double>("gamma", 0.5);
    auto min_momentum = args.get<std::optional<double>>("min_momentum", std::nullopt);
    return std::make_shared<StepMomentumUpdaterHook>(MomentumUpdaterHook::read_options(args),
                                                     std::move(step), gamma, min_momentum);
  });
}

std::shared_ptr<Hook> build_cosine_momentum(Args& args) {
  return build_checked(args, [&] {
    MinMomentum min = MinMomentum::read(args);
    return std::make_shared<AnnealingMomentumUpdaterHook>(MomentumUpdaterHook::read_options(args),
                                                          min, anneal_function("cos"),
                                                          "CosineAnnealingMomentumUpdaterHook");
  });
}

std::shared_ptr<Hook> build_linear_momentum(Args& args) {
  return build_checked(args, [&] {
    MinMomentum min = MinMomentum::read(args);
    return std::make_shared<AnnealingMomentumUpdaterHook>(MomentumUpdaterHook::read_options(args),
                                                          min, anneal_function("linear"),
                                                          "LinearAnnealingMomentumUpdaterHook");
  });
}

std::shared_ptr<Hook> build_cyclic_momentum(Args& args) {
  return build_checked(args, [&] {
    const bool by_epoch = args.get<bool>("by_epoch", false);
    const Value* ratio = args.find("target_ratio");
    auto target_ratio =
        cyclic_target_ratio(ratio ? *ratio : Value::tuple({Value(0.85 / 0.95), Value(1.0)}));
    const int64_t cyclic_times = args.get<int64_t>("cyclic_times", 1);
    const double step_ratio_up = args.get<double>("step_ratio_up", 0.4);
    const double gamma = args.get<double>("gamma", 1.0);
    if (!(step_ratio_up >= 0 && step_ratio_up < 1.0))
      throw std::invalid_argument("\"step_ratio_up\" must be in range [0,1)");
    AnnealFunction anneal = anneal_function(args.get("anneal_strategy", "cos"));
    if (by_epoch) throw std::invalid_argument("currently only support \"by_epoch\" = False");
    if (cyclic_times <= 0) throw std::invalid_argument("\"cyclic_times\" must be positive");
    Options options = MomentumUpdaterHook::read_options(args, false);
    return std::make_shared<CyclicMomentumUpdaterHook>(
        options,
        CyclicSchedule(target_ratio, cyclic_times, step_ratio_up, std::move(anneal), gamma));
  });
}

Value read_momentum_bound(Args& args, const std::string& key, double fallback) {
  const Value* v = args.find(key);
  if (!v) return Value(fallback);
  // mmcv's isinstance(x, (float, list, dict)): an int is refused.
  if (!v->is_float() && !v->is_list() && !v->is_dict())
    throw std::invalid_argument(key + " must be the type among of float, list or dict, not " +
                                std::string(v->type_name()) + " " + repr(*v));
  return *v;
}

std::shared_ptr<Hook> build_one_cycle_momentum(Args& args) {
  return build_checked(args, [&] {
    if (args.get<bool>("by_epoch", false))
      throw std::invalid_argument("currently only support \"by_epoch\" = False");
    Value base = read_momentum_bound(args, "base_momentum", 0.85);
    Value max = read_momentum_bound(args, "max_momentum", 0.95);
    double pct_start = 0.3;
    if (const Value* pct = args.find("pct_start")) {
      if (!pct->is_float() || pct->as_float() < 0 || pct->as_float() > 1)
        throw std::invalid_argument("Expected float between 0 and 1 pct_start, but got " +
                                    repr(*pct));
      pct_start = pct->as_float();
    }
    AnnealFunction anneal = anneal_function(args.get("anneal_strategy", "cos"));
    const bool three_phase = args.get<bool>("three_phase", false);
    Options options = MomentumUpdaterHook::read_options(args, false);
    return std::make_shared<OneCycleMomentumUpdaterHook>(options, std::move(base), std::move(max),
                                                         pct_start, std::move(anneal), three_phase);
  });
}

}  // namespace

TUBELET_REGISTER(HOOKS, StepMomentumUpdaterHook, build_step_momentum);
TUBELET_REGISTER(HOOKS, CosineAnnealingMomentumUpdaterHook, build_cosine_momentum);
TUBELET_REGISTER(HOOKS, LinearAnnealingMomentumUpdaterHook, build_linear_momentum);
TUBELET_REGISTER(HOOKS, CyclicMomentumUpdaterHook, build_cyclic_momentum);
TUBELET_REGISTER(HOOKS, OneCycleMomentumUpdaterHook, build_one_cycle_momentum);

}  // namespace tubelet
