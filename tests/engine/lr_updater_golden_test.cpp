// LR (and momentum) schedules against mmcv 1.7.0 itself: ../shared/golden/lr/*.json record
// param group 0's lr and momentum inside every training iteration of a real mmcv run (7
// iterations per epoch); _rejected.json lists configurations mmcv refuses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "support/paths.h"
#include "tubelet/args.h"
#include "tubelet/config/dump.h"
#include "tubelet/engine/hooks/lr_updater_hook.h"
#include "updater_hook_support.h"

namespace tubelet::lr_updater_golden_test {

// MMAction2's tutorial example of a custom LR policy ("Adding New Modules"): the lr is lrs[i]
// for the first steps[i] that progress is below. Python's version returns None past the last
// step (mmcv then sets lr to None; the goldens hold null there); this one keeps the last lr.
// The goldens were made with this tutorial version, not MMAction2's built-in one (which adds a
// warmup), so run_case builds it directly for policy='RelativeStep' instead of through HOOKS.
class RelativeStepLrUpdaterHook : public LrUpdaterHook {
 public:
  RelativeStepLrUpdaterHook(const Options& options, std::vector<int64_t> steps,
                            std::vector<double> lrs)
      : LrUpdaterHook(options), steps_(std::move(steps)), lrs_(std::move(lrs)) {}

  double get_lr(const Runner& runner, double) const override {
    const int64_t p = progress(runner);
    for (size_t i = 0; i < steps_.size(); ++i)
      if (p < steps_[i]) return lrs_[i];
    return lrs_.back();
  }
  std::string type() const override { return "RelativeStepLrUpdaterHook"; }

 private:
  std::vector<int64_t> steps_;
  std::vector<double> lrs_;
};

namespace {

std::shared_ptr<Hook> build_relative_step(Args& args) {
  auto steps = args.required<std::vector<int64_t>>("steps");
  auto lrs = args.required<std::vector<double>>("lrs");
  if (steps.empty() || steps.size() != lrs.size())
    throw args.error("lrs", "steps and lrs must be non-empty and of the same length");
  return std::make_shared<RelativeStepLrUpdaterHook>(LrUpdaterHook::read_options(args),
                                                     std::move(steps), std::move(lrs));
}

std::filesystem::path golden_dir() {
  return test::shared_dir() / "golden/lr";
}

Value load_golden(const std::filesystem::path& file) {
  return test::decode_golden(from_json(test::read_text(file), file.string()));
}

void expect_close(const List& expected, const std::vector<double>& actual,
                  const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < expected.size(); ++i) {
    if (expected[i].is_none()) continue;  // mmcv set None there (RelativeStep past its steps)
    const double want = expected[i].as_float();
    EXPECT_LE(std::abs(actual[i] - want), 1e-9 * std::abs(want) + 1e-15)
        << what << "[" << i << "]: got " << actual[i] << ", mmcv " << want;
  }
}

// Builds the case's runner and hooks and runs it, as mmcv's register_training_hooks does.
test::ScheduleRun run_case(const Dict& c) {
  const Dict& runner = c.at("runner").as_dict();
  const std::string type = runner.at("type").as_str();
  const Value max = runner.at(type == "EpochBasedRunner" ? "max_epochs" : "max_iters");
  const Dict& optimizer = c.at("optimizer").as_dict();
  const Value* groups = optimizer.find("param_groups");
  test::ScheduleRun run(test::runner_config(type, max.as_int()), optimizer,
                        groups ? static_cast<int>(groups->as_list().size()) : 1);
  std::shared_ptr<Hook> lr, momentum;
  const Value& lr_config = c.at("lr_config");
  if (!lr_config.is_none()) {
    const Value* policy = lr_config.as_dict().find("policy");
    if (policy && policy->is_str() && policy->as_str() == "RelativeStep") {
      Value cfg = lr_config;
      cfg.mutable_dict().erase("policy");
      Args args(cfg, "RelativeStepLrUpdaterHook", "lr_config");
      lr = build_relative_step(args);
      args.finish();
    } else {
      lr = build_lr_updater_hook(lr_config, "lr_config");
    }
  }
  if (const Value* m = c.find("momentum_config"); m && !m->is_none())
    momentum = build_momentum_updater_hook(*m, "momentum_config");
  run.add_hooks(lr, momentum);
  run.run();
  return run;
}

TEST(LrUpdaterGolden, EveryCaseMatchesMmcv) {
  TUBELET_REQUIRE_SHARED();
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(golden_dir())) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".json" || name[0] == '_') continue;
    SCOPED_TRACE(name);
    const Dict c = load_golden(entry.path()).as_dict();
    test::ScheduleRun run = run_case(c);
    ASSERT_FALSE(run.recorder->lr.empty());
    expect_close(c.at("lr").as_list(), run.recorder->lr[0], "lr");
    expect_close(c.at("momentum").as_list(), run.recorder->momentum[0], "momentum");
    if (const Value* all = c.find("lr_groups"))
      for (size_t g = 0; g < all->as_list().size(); ++g)
        expect_close(all->as_list()[g].as_list(), run.recorder->lr.at(g),
                     "lr_groups[" + std::to_string(g) + "]");
    if (const Value* all = c.find("momentum_groups"))
      for (size_t g = 0; g < all->as_list().size(); ++g)
        expect_close(all->as_list()[g].as_list(), run.recorder->momentum.at(g),
                     "momentum_groups[" + std::to_string(g) + "]");
    ++cases;
  }
  EXPECT_GE(cases, 100);
}

TEST(LrUpdaterGolden, RejectedAsMmcvRejects) {
  TUBELET_REQUIRE_SHARED();
  const Value rejected = load_golden(golden_dir() / "_rejected.json");
  ASSERT_FALSE(rejected.as_list().empty());
  for (const Value& item : rejected.as_list()) {
    const Dict& r = item.as_dict();
    SCOPED_TRACE(r.at("case").as_str());
    Dict c;
    c.set("lr_config", r.at("lr_config"));
    c.set("momentum_config", r.at("momentum_config"));
    Dict runner;
    runner.set("type", r.at("runner"));
    runner.set(r.at("runner").as_str() == "EpochBasedRunner" ? "max_epochs" : "max_iters",
               Value(r.at("runner").as_str() == "EpochBasedRunner" ? 12 : 84));
    c.set("runner", Value(runner));
    c.set("optimizer", Value(test::sgd_config()));
    const std::string message = test::error_of([&] { run_case(c); });
    EXPECT_NE(
        message.find(test::mmcv_error_fragment(r.at("error").as_str(), r.at("where").as_str())),
        std::string::npos)
        << "ours: " << message << "\nmmcv: " << r.at("error").as_str();
  }
}

}  // namespace
}  // namespace tubelet::lr_updater_golden_test
