// MMAction2's tutorial LR policy ("Adding New Modules"), as a plugin that `tubelet schedule
// --plugin` loads in the schedule command test: the lr is lrs[i] for the first steps[i] that
// progress is below. Past the last step Python's get_lr returns None and mmcv sets lr to
// None; a double lr has no None, so this one gives NaN, which `tubelet schedule` prints as
// null. Tubelet has MMAction2's own RelativeStepLrUpdaterHook built in (with a warmup this
// tutorial version lacks), so this one replaces it: TUBELET_REGISTER_FORCE, mmcv's force=True.
// (The golden unit test builds its own copy directly, which keeps the last lr instead.)
#include <limits>

#include "tubelet/engine/hooks/lr_updater_hook.h"
#include "tubelet/engine/registries.h"

namespace {

class RelativeStepLrUpdaterHook : public tubelet::LrUpdaterHook {
 public:
  RelativeStepLrUpdaterHook(const Options& options, std::vector<int64_t> steps,
                            std::vector<double> lrs)
      : LrUpdaterHook(options), steps_(std::move(steps)), lrs_(std::move(lrs)) {}

  double get_lr(const tubelet::Runner& runner, double) const override {
    const int64_t p = progress(runner);
    for (size_t i = 0; i < steps_.size(); ++i)
      if (p < steps_[i]) return lrs_[i];
    return std::numeric_limits<double>::quiet_NaN();
  }
  std::string type() const override { return "RelativeStepLrUpdaterHook"; }

 private:
  std::vector<int64_t> steps_;
  std::vector<double> lrs_;
};

std::shared_ptr<tubelet::Hook> build(tubelet::Args& args) {
  auto steps = args.required<std::vector<int64_t>>("steps");
  auto lrs = args.required<std::vector<double>>("lrs");
  if (steps.empty() || steps.size() != lrs.size())
    throw args.error("lrs", "steps and lrs must be non-empty and of the same length");
  return std::make_shared<RelativeStepLrUpdaterHook>(tubelet::LrUpdaterHook::read_options(args),
                                                     std::move(steps), std::move(lrs));
}

}  // namespace

TUBELET_REGISTER_FORCE(HOOKS, RelativeStepLrUpdaterHook, build);
