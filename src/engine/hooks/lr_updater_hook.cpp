#include "tubelet/engine/hooks/lr_updater_hook.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include "tubelet/config/error.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

namespace {

void check_warmup(const std::optional<std::string>& warmup, int64_t warmup_iters,
                  double warmup_ratio) {
  if (!warmup) return;
  if (*warmup != "constant" && *warmup != "linear" && *warmup != "exp")
    throw std::invalid_argument("\"" + *warmup +
                                "\" is not a supported type for warming up, valid types are "
                                "\"constant\", \"linear\" and \"exp\"");
  if (warmup_iters <= 0) throw std::invalid_argument("\"warmup_iters\" must be a positive integer");
  if (!(warmup_ratio > 0 && warmup_ratio <= 1.0))
    throw std::invalid_argument("\"warmup_ratio\" must be in range (0,1]");
}

}  // namespace

LrUpdaterHook::Options LrUpdaterHook::read_options(Args& args, bool default_by_epoch) {
  Options o;
  o.by_epoch = args.get<bool>("by_epoch", default_by_epoch);
  o.warmup = args.get<std::optional<std::string>>("warmup", std::nullopt);
  o.warmup_iters = args.get<int64_t>("warmup_iters", 0);
  o.warmup_ratio = args.get<double>("warmup_ratio", 0.1);
  o.warmup_by_epoch = args.get<bool>("warmup_by_epoch", false);
  return o;
}

LrUpdaterHook::LrUpdaterHook(const Options& options) : options_(options) {
  check_warmup(options.warmup, options.warmup_iters, options.warmup_ratio);
  if (options.warmup_by_epoch)
    warmup_epochs_ = options.warmup_iters;
  else
    warmup_iters_ = options.warmup_iters;
}

void LrUpdaterHook::before_run(Runner& runner) {
  // mmcv's group.setdefault('initial_lr', group['lr']): a resumed run keeps the saved ones.
  auto& groups = runner.optimizer().param_groups();
  std::vector<double>& initial = runner.initial_lrs();
  for (size_t i = initial.size(); i < groups.size(); ++i)
    initial.push_back(groups[i].options().get_lr());
  base_lr_.assign(initial.begin(), initial.begin() + groups.size());
}

void LrUpdaterHook::before_train_epoch(Runner& runner) {
  if (!warmup_iters_) warmup_iters_ = *warmup_epochs_ * runner.data_loader().size();
  if (!options_.by_epoch) return;
  regular_lr_ = regular_lr(runner);
  set_group_lrs(runner, regular_lr_);
}

void LrUpdaterHook::before_train_iter(Runner& runner) {
  const int64_t cur_iter = runner.iter();
  if (!warmup_iters_)
    throw std::logic_error(
        type() +
        ": warmup_by_epoch=True counts warmup in epochs, which are converted to iterations "
        "at the start of the first training epoch; this runner starts none (IterBasedRunner), "
        "so warmup_iters is unknown (mmcv fails the same way): use warmup_by_epoch=False");
  const bool warming = options_.warmup && cur_iter < *warmup_iters_;
  if (!options_.by_epoch) {
    regular_lr_ = regular_lr(runner);
    set_group_lrs(runner, warming ? warmup_lr(cur_iter) : regular_lr_);
  } else if (options_.warmup && cur_iter <= *warmup_iters_) {
    // The regular lr was set at the epoch's start; warmup scales it until warmup_iters.
    set_group_lrs(runner, warming ? warmup_lr(cur_iter) : regular_lr_);
  }
}

std::vector<double> LrUpdaterHook::regular_lr(const Runner& runner) const {
  std::vector<double> out;
  for (double base : base_lr_) out.push_back(get_lr(runner, base));
  return out;
}

std::vector<double> LrUpdaterHook::warmup_lr(int64_t cur_iter) const {
  const double ratio = options_.warmup_ratio;
  const double frac = static_cast<double>(cur_iter) / static_cast<double>(*warmup_iters_);
  std::vector<double> out;
  for (double lr : regular_lr_) {
    if (*options_.warmup == "constant") {
      out.push_back(lr * ratio);
    } else if (*options_.warmup == "linear") {
      const double k = (1 - frac) * (1 - ratio);
      out.push_back(lr * (1 - k));
    } else {
      out.push_back(lr * std::pow(ratio, 1 - frac));
    }
  }
  return out;
}

int64_t LrUpdaterHook::progress(const Runner& runner) const {
  return options_.by_epoch ? runner.epoch() : runner.iter();
}

int64_t LrUpdaterHook::max_progress(const Runner& runner) const {
  return options_.by_epoch ? runner.max_epochs() : runner.max_iters();
}

void set_group_lrs(Runner& runner, const std::vector<double>& lrs) {
  auto& groups = runner.optimizer().param_groups();
  for (size_t i = 0; i < std::min(groups.size(), lrs.size()); ++i)
    groups[i].options().set_lr(lrs[i]);
}

std::string updater_hook_type(const std::string& policy, const std::string& suffix) {
  std::string lower = policy;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower != policy) return policy + suffix;
  // Python's str.title(): a letter is upper-cased after a non-letter, lower-cased otherwise.
  std::string title = policy;
  bool after_letter = false;
  for (char& c : title) {
    const bool letter = std::isalpha(static_cast<unsigned char>(c));
    if (letter)
      c = static_cast<char>(after_letter ? c : std::toupper(static_cast<unsigned char>(c)));
    after_letter = letter;
  }
  return title + suffix;
}

namespace {

std::shared_ptr<Hook> build_updater_hook(const Value& config, const std::string& config_path,
                                         const std::string& suffix) {
  if (!config.is_dict())
    throw ConfigError(
        config_path + " must be a dict holding a 'policy', not " + std::string(config.type_name()),
        config.location());
  const Value* policy = config.as_dict().find("policy");
  if (!policy) throw ConfigError(config_path + " has no 'policy'", config.location());
  if (!policy->is_str())
    throw ConfigError(config_path + ".policy must be a str, not " +
                          std::string(policy->type_name()) + " " + repr(*policy),
                      policy->location());
  Value cfg = config;
  cfg.mutable_dict().erase("policy");
  cfg.mutable_dict().set("type", Value(updater_hook_type(policy->as_str(), suffix)));
  return HOOKS().build(cfg, BuildContext(config_path));
}

}  // namespace

std::shared_ptr<Hook> build_lr_updater_hook(const Value& lr_config,
                                            const std::string& config_path) {
  return build_updater_hook(lr_config, config_path, "LrUpdaterHook");
}

std::shared_ptr<Hook> build_momentum_updater_hook(const Value& momentum_config,
                                                  const std::string& config_path) {
  return build_updater_hook(momentum_config, config_path, "MomentumUpdaterHook");
}

}  // namespace tubelet
