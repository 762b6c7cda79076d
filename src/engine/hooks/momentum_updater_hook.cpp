#include "tubelet/engine/hooks/momentum_updater_hook.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tubelet/engine/runner.h"
#include "tubelet/optim/group_options.h"

namespace tubelet {

MomentumUpdaterHook::Options MomentumUpdaterHook::read_options(Args& args, bool default_by_epoch) {
  Options o;
  o.by_epoch = args.get<bool>("by_epoch", default_by_epoch);
  o.warmup = args.get<std::optional<std::string>>("warmup", std::nullopt);
  o.warmup_iters = args.get<int64_t>("warmup_iters", 0);
  o.warmup_ratio = args.get<double>("warmup_ratio", 0.9);
  return o;
}

MomentumUpdaterHook::MomentumUpdaterHook(const Options& options) : options_(options) {
  if (!options.warmup) return;
  const std::string& w = *options.warmup;
  if (w != "constant" && w != "linear" && w != "exp")
    throw std::invalid_argument("\"" + w +
                                "\" is not a supported type for warming up, valid types are "
                                "\"constant\", \"linear\" and \"exp\"");
  if (options.warmup_iters <= 0)
    throw std::invalid_argument("\"warmup_iters\" must be a positive integer");
  if (!(options.warmup_ratio > 0 && options.warmup_ratio <= 1.0))
    throw std::invalid_argument("\"warmup_momentum\" must be in range (0,1]");
}

void MomentumUpdaterHook::before_run(Runner& runner) {
  // mmcv's group.setdefault('initial_momentum', ...): a resumed run keeps the saved ones.
  auto& groups = runner.optimizer().param_groups();
  std::vector<double>& base = runner.initial_momentums();
  for (size_t i = base.size(); i < groups.size(); ++i)
    base.push_back(group_momentum(groups[i].options()));
}

void MomentumUpdaterHook::before_train_epoch(Runner& runner) {
  if (!options_.by_epoch) return;
  regular_momentum_ = regular_momentum(runner);
  set_group_momentums(runner, regular_momentum_);
}

void MomentumUpdaterHook::before_train_iter(Runner& runner) {
  const int64_t cur_iter = runner.iter();
  const bool warming = options_.warmup && cur_iter < options_.warmup_iters;
  if (!options_.by_epoch) {
    regular_momentum_ = regular_momentum(runner);
    set_group_momentums(runner, warming ? warmup_momentum(cur_iter) : regular_momentum_);
  } else if (options_.warmup && cur_iter <= options_.warmup_iters) {
    set_group_momentums(runner, warming ? warmup_momentum(cur_iter) : regular_momentum_);
  }
}

std::vector<double> MomentumUpdaterHook::regular_momentum(const Runner& runner) const {
  std::vector<double> out;
  const std::vector<double>& base = runner.initial_momentums();
  for (size_t i = 0; i < base.size(); ++i) out.push_back(get_momentum(runner, i, base[i]));
  return out;
}

std::vector<double> MomentumUpdaterHook::warmup_momentum(int64_t cur_iter) const {
  const double ratio = options_.warmup_ratio;
  const double frac = static_cast<double>(cur_iter) / static_cast<double>(options_.warmup_iters);
  std::vector<double> out;
  for (double m : regular_momentum_) {
    if (*options_.warmup == "constant") {
      out.push_back(m / ratio);
    } else if (*options_.warmup == "linear") {
      const double k = (1 - frac) * (1 - ratio);
      out.push_back(m / (1 - k));
    } else {
      out.push_back(m / std::pow(ratio, 1 - frac));
    }
  }
  return out;
}

int64_t MomentumUpdaterHook::progress(const Runner& runner) const {
  return options_.by_epoch ? runner.epoch() : runner.iter();
}

int64_t MomentumUpdaterHook::max_progress(const Runner& runner) const {
  return options_.by_epoch ? runner.max_epochs() : runner.max_iters();
}

double group_momentum(const torch::optim::OptimizerOptions& options) {
  if (has_group_option(options, "momentum"))
    return get_group_option(options, "momentum").as_float();
  if (has_group_option(options, "betas"))
    return get_group_option(options, "betas").as_list().at(0).as_float();
  throw std::invalid_argument("optimizer " + optimizer_name_of(options) +
                              " has neither 'momentum' nor 'betas' to schedule");
}

void set_group_momentum(torch::optim::OptimizerOptions& options, double momentum) {
  if (has_group_option(options, "momentum")) {
    set_group_option(options, "momentum", Value(momentum));
  } else if (has_group_option(options, "betas")) {
    Value betas = get_group_option(options, "betas");
    set_group_option(options, "betas", Value::tuple({Value(momentum), betas.as_list().at(1)}));
  }
}

void set_group_momentums(Runner& runner, const std::vector<double>& momentums) {
  auto& groups = runner.optimizer().param_groups();
  for (size_t i = 0; i < std::min(groups.size(), momentums.size()); ++i)
    set_group_momentum(groups[i].options(), momentums[i]);
}

}  // namespace tubelet
