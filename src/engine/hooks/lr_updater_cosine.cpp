// mmcv's annealing LR policies: CosineAnnealing, FlatCosineAnnealing, CosineRestart and
// LinearAnnealing. Each anneals towards min_lr, or base_lr * min_lr_ratio: exactly one of the
// two is given. And MMAction2's own TINLrUpdaterHook (mmaction/core/scheduler/lr_updater.py):
// cosine annealing to min_lr counted from the end of warmup, with TIN's linear warmup.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "tubelet/engine/hooks/lr_updater_hook.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

namespace {

struct MinLr {
  std::optional<double> min_lr;
  std::optional<double> min_lr_ratio;

  static MinLr read(Args& args) {
    MinLr m{args.get<std::optional<double>>("min_lr", std::nullopt),
            args.get<std::optional<double>>("min_lr_ratio", std::nullopt)};
    if (m.min_lr.has_value() == m.min_lr_ratio.has_value())
      throw std::invalid_argument("exactly one of \"min_lr\" and \"min_lr_ratio\" must be given");
    return m;
  }
  double target(double base_lr) const { return min_lr_ratio ? base_lr * *min_lr_ratio : *min_lr; }
};

double fraction(int64_t progress, int64_t max_progress) {
  return static_cast<double>(progress) / static_cast<double>(max_progress);
}

class CosineAnnealingLrUpdaterHook : public LrUpdaterHook {
 public:
  CosineAnnealingLrUpdaterHook(const Options& options, MinLr min)
      : LrUpdaterHook(options), min_(min) {}
  double get_lr(const Runner& runner, double base_lr) const override {
    return annealing_cos(base_lr, min_.target(base_lr),
                         fraction(progress(runner), max_progress(runner)));
  }
  std::string type() const override { return "CosineAnnealingLrUpdaterHook"; }

 private:
  MinLr min_;
};

class LinearAnnealingLrUpdaterHook : public LrUpdaterHook {
 public:
  LinearAnnealingLrUpdaterHook(const Options& options, MinLr min)
      : LrUpdaterHook(options), min_(min) {}
  double get_lr(const Runner& runner, double base_lr) const override {
    return annealing_linear(base_lr, min_.target(base_lr),
                            fraction(progress(runner), max_progress(runner)));
  }
  std::string type() const override { return "LinearAnnealingLrUpdaterHook"; }

 private:
  MinLr min_;
};

// Flat at base_lr until round(start_percent * max), then cosine annealing to the end.
class FlatCosineAnnealingLrUpdaterHook : public LrUpdaterHook {
 public:
  FlatCosineAnnealingLrUpdaterHook(const Options& options, double start_percent, MinLr min)
      : LrUpdaterHook(options), start_percent_(start_percent), min_(min) {}
  double get_lr(const Runner& runner, double base_lr) const override {
    const int64_t max = max_progress(runner);
    const int64_t start = round_half_even(static_cast<double>(max) * start_percent_);
    const int64_t p = progress(runner) - start;
    if (p < 0) return base_lr;
    return annealing_cos(base_lr, min_.target(base_lr), fraction(p, max - start));
  }
  std::string type() const override { return "FlatCosineAnnealingLrUpdaterHook"; }

 private:
  double start_percent_;
  MinLr min_;
};

// Cosine annealing restarted at the end of each period, each restart scaled by its weight.
class CosineRestartLrUpdaterHook : public LrUpdaterHook {
 public:
  CosineRestartLrUpdaterHook(const Options& options, std::vector<int64_t> periods,
                             std::vector<double> restart_weights, MinLr min)
      : LrUpdaterHook(options),
        periods_(std::move(periods)),
        weights_(std::move(restart_weights)),
        min_(min) {
    std::partial_sum(periods_.begin(), periods_.end(), std::back_inserter(cumulative_));
  }

  double get_lr(const Runner& runner, double base_lr) const override {
    const int64_t p = progress(runner);
    const size_t idx = position(p);
    const int64_t nearest_restart = idx == 0 ? 0 : cumulative_[idx - 1];
    const double alpha = std::min(fraction(p - nearest_restart, periods_[idx]), 1.0);
    return annealing_cos(base_lr, min_.target(base_lr), alpha, weights_[idx]);
  }
  std::string type() const override { return "CosineRestartLrUpdaterHook"; }

 private:
  // The index of the first cumulative period beyond `iteration`.
  size_t position(int64_t iteration) const {
    for (size_t i = 0; i < cumulative_.size(); ++i)
      if (iteration < cumulative_[i]) return i;
    std::ostringstream list;
    for (size_t i = 0; i < cumulative_.size(); ++i) list << (i ? ", " : "") << cumulative_[i];
    throw std::out_of_range(type() + ": Current iteration " + std::to_string(iteration) +
                            " exceeds cumulative_periods [" + list.str() + "]");
  }

  std::vector<int64_t> periods_;
  std::vector<double> weights_;
  MinLr min_;
  std::vector<int64_t> cumulative_;
};

// MMAction2's TINLrUpdaterHook: annealing_cos(base_lr, min_lr, progress / max_progress), where
// with a warmup both progress and max_progress are counted less warmup_iters (iterations, even
// when by_epoch: MMAction2 subtracts self.warmup_iters either way). Its linear warmup is TIN's:
// lr = regular_lr * (cur_iter / warmup_iters * (1 - warmup_ratio) + warmup_ratio); "constant"
// and "exp" are mmcv's.
class TINLrUpdaterHook : public LrUpdaterHook {
 public:
  TINLrUpdaterHook(const Options& options, double min_lr)
      : LrUpdaterHook(options), min_lr_(min_lr) {
    if (!options.warmup_by_epoch) warmup_iters_ = options.warmup_iters;
  }

  double get_lr(const Runner& runner, double base_lr) const override {
    int64_t p = progress(runner);
    int64_t max = max_progress(runner);
    if (options().warmup) {
      const int64_t warmup_iters = warmup_iters_.value_or(0);
      p -= warmup_iters;
      max -= warmup_iters;
    }
    return annealing_cos(base_lr, min_lr_, fraction(p, max));
  }

  void before_train_epoch(Runner& runner) override {
    if (!warmup_iters_)
      warmup_iters_ = options().warmup_iters * static_cast<int64_t>(runner.data_loader().size());
    LrUpdaterHook::before_train_epoch(runner);
  }

  // mmcv's iteration step (regular lr, its checks), then TIN's warmup over it while warming.
  void before_train_iter(Runner& runner) override {
    LrUpdaterHook::before_train_iter(runner);
    if (!options().warmup || !warmup_iters_ || runner.iter() >= *warmup_iters_) return;
    const double ratio = options().warmup_ratio;
    const double frac = fraction(runner.iter(), *warmup_iters_);
    double k = ratio;  // "constant"
    if (*options().warmup == "linear") k = frac * (1 - ratio) + ratio;
    if (*options().warmup == "exp") k = std::pow(ratio, 1 - frac);
    std::vector<double> lrs;
    for (double base : base_lr()) lrs.push_back(get_lr(runner, base) * k);
    set_group_lrs(runner, lrs);
  }

  std::string type() const override { return "TINLrUpdaterHook"; }

 private:
  double min_lr_;
  std::optional<int64_t> warmup_iters_;  // unknown until the first epoch with warmup_by_epoch
};

std::shared_ptr<Hook> build_cosine(Args& args) {
  return build_checked(args, [&] {
    MinLr min = MinLr::read(args);
    return std::make_shared<CosineAnnealingLrUpdaterHook>(LrUpdaterHook::read_options(args), min);
  });
}

std::shared_ptr<Hook> build_linear(Args& args) {
  return build_checked(args, [&] {
    MinLr min = MinLr::read(args);
    return std::make_shared<LinearAnnealingLrUpdaterHook>(LrUpdaterHook::read_options(args), min);
  });
}

std::shared_ptr<Hook> build_flat_cosine(Args& args) {
  return build_checked(args, [&] {
    MinLr min = MinLr::read(args);
    double start_percent = 0.75;
    if (const Value* given = args.find("start_percent")) {
      // mmcv accepts only a float here: 0 or 1 written as ints are refused.
      if (!given->is_float() || given->as_float() < 0 || given->as_float() > 1)
        throw std::invalid_argument("expected float between 0 and 1 start_percent, but got " +
                                    repr(*given));
      start_percent = given->as_float();
    }
    return std::make_shared<FlatCosineAnnealingLrUpdaterHook>(LrUpdaterHook::read_options(args),
                                                              start_percent, min);
  });
}

std::shared_ptr<Hook> build_cosine_restart(Args& args) {
  return build_checked(args, [&] {
    auto periods = args.required<std::vector<int64_t>>("periods");
    auto weights = args.get<std::vector<double>>("restart_weights", {1.0});
    MinLr min = MinLr::read(args);
    if (periods.size() != weights.size())
      throw std::invalid_argument("periods and restart_weights should have the same length.");
    for (int64_t p : periods)
      if (p <= 0) throw std::invalid_argument("every period must be positive");
    return std::make_shared<CosineRestartLrUpdaterHook>(
        LrUpdaterHook::read_options(args), std::move(periods), std::move(weights), min);
  });
}

std::shared_ptr<Hook> build_tin(Args& args) {
  return build_checked(args, [&] {
    double min_lr = args.required<double>("min_lr");
    return std::make_shared<TINLrUpdaterHook>(LrUpdaterHook::read_options(args), min_lr);
  });
}

}  // namespace

TUBELET_REGISTER(HOOKS, CosineAnnealingLrUpdaterHook, build_cosine);
TUBELET_REGISTER(HOOKS, FlatCosineAnnealingLrUpdaterHook, build_flat_cosine);
TUBELET_REGISTER(HOOKS, CosineRestartLrUpdaterHook, build_cosine_restart);
TUBELET_REGISTER(HOOKS, LinearAnnealingLrUpdaterHook, build_linear);
TUBELET_REGISTER(HOOKS, TINLrUpdaterHook, build_tin);

}  // namespace tubelet
