// LR updater hooks on hand-computed schedules (no ../shared needed), the policy lookup, the
// base lr kept in runner.initial_lrs(), and mmcv's refusals.
#include <gtest/gtest.h>

#include <cmath>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/engine/hooks/lr_updater_hook.h"
#include "updater_hook_support.h"

namespace tubelet::lr_updater_test {
namespace {

Value config(const std::string& python_dict) {
  Dict cfg = load_config_text("c = " + python_dict + "\n", "test.py");
  return cfg.at("c");
}

std::vector<double> lrs(const std::string& runner, int64_t max, const std::string& lr_config,
                        double lr = 0.1) {
  test::ScheduleRun run(test::runner_config(runner, max), test::sgd_config(lr));
  run.add_hooks(build_lr_updater_hook(config(lr_config), "lr_config"), nullptr);
  run.run();
  return run.recorder->lr[0];
}

void expect_doubles(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-12 * std::abs(expected[i]) + 1e-15) << "at " << i;
}

TEST(LrUpdaterHook, StepByEpochChangesOncePerEpoch) {
  auto got = lrs("EpochBasedRunner", 3, "dict(policy='step', step=[1, 2])");
  std::vector<double> want;
  for (double lr : {0.1, 0.01, 0.001}) want.insert(want.end(), 7, lr);
  expect_doubles(got, want);
}

TEST(LrUpdaterHook, StepIntervalWithMinLrClips) {
  auto got = lrs("IterBasedRunner", 9,
                 "dict(policy='step', step=3, gamma=0.5, min_lr=0.03, "
                 "by_epoch=False)");
  expect_doubles(got, {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.03, 0.03, 0.03});
}

TEST(LrUpdaterHook, LinearWarmupScalesTheRegularLr) {
  // k = (1 - i / 4) * (1 - 0.5); lr = 0.1 * (1 - k) during the first 4 iterations.
  auto got = lrs("IterBasedRunner", 6,
                 "dict(policy='fixed', by_epoch=False, warmup='linear', warmup_iters=4, "
                 "warmup_ratio=0.5)");
  expect_doubles(got, {0.05, 0.0625, 0.075, 0.0875, 0.1, 0.1});
}

TEST(LrUpdaterHook, WarmupByEpochCountsEpochsOfTheLoader) {
  // One warmup epoch = 7 iterations, constant ratio 0.1.
  auto got = lrs("EpochBasedRunner", 2,
                 "dict(policy='fixed', warmup='constant', warmup_iters=1, warmup_ratio=0.1, "
                 "warmup_by_epoch=True)");
  std::vector<double> want(7, 0.1 * 0.1);
  want.insert(want.end(), 7, 0.1);
  expect_doubles(got, want);
}

TEST(LrUpdaterHook, PolyPerIteration) {
  auto got = lrs("IterBasedRunner", 4, "dict(policy='poly', power=2.0, by_epoch=False)");
  expect_doubles(got, {0.1, 0.1 * 0.75 * 0.75, 0.1 * 0.5 * 0.5, 0.1 * 0.25 * 0.25});
}

TEST(LrUpdaterHook, FlatCosineRoundsHalfToEven) {
  // round(20 * 0.125) = round(2.5) = 2 (Python), so iteration 3 is already annealing.
  auto got = lrs("IterBasedRunner", 20,
                 "dict(policy='FlatCosineAnnealing', start_percent=0.125, min_lr=0.0, "
                 "by_epoch=False)");
  EXPECT_DOUBLE_EQ(got[2], 0.1);
  EXPECT_DOUBLE_EQ(got[3], 0.5 * 0.1 * (std::cos(M_PI / 18) + 1));
}

TEST(LrUpdaterHook, OneCycleStartsFromMaxLrOverDivFactor) {
  auto got = lrs("IterBasedRunner", 11,
                 "dict(policy='OneCycle', max_lr=1.0, div_factor=10, final_div_factor=100, "
                 "pct_start=0.5, anneal_strategy='linear')",
                 /*lr=*/0.5);
  // Up from 0.1 to 1.0 over iterations 0..4.5, then down to 0.1 / 100 at iteration 10.
  EXPECT_DOUBLE_EQ(got[0], 0.1);
  EXPECT_DOUBLE_EQ(got[1], 0.1 + (1.0 - 0.1) * (1 / 4.5));
  EXPECT_DOUBLE_EQ(got[10], 0.1 * 0.01);
}

TEST(LrUpdaterHook, BaseLrComesFromRunnerInitialLrs) {
  test::ScheduleRun fresh(test::runner_config("IterBasedRunner", 2), test::sgd_config(0.05));
  fresh.add_hooks(
      build_lr_updater_hook(config("dict(policy='fixed', by_epoch=False)"), "lr_config"), nullptr);
  fresh.run();
  EXPECT_EQ(fresh.runner->initial_lrs(), std::vector<double>{0.05});

  // A resumed run restores initial_lrs before before_run: the schedule keeps its base.
  test::ScheduleRun resumed(test::runner_config("IterBasedRunner", 2), test::sgd_config(0.05));
  resumed.runner->initial_lrs() = {0.2};
  resumed.add_hooks(
      build_lr_updater_hook(config("dict(policy='fixed', by_epoch=False)"), "lr_config"), nullptr);
  resumed.run();
  expect_doubles(resumed.recorder->lr[0], {0.2, 0.2});
}

TEST(LrUpdaterHook, PolicyNamesFollowMmcv) {
  EXPECT_EQ(updater_hook_type("step", "LrUpdaterHook"), "StepLrUpdaterHook");
  EXPECT_EQ(updater_hook_type("CosineAnnealing", "LrUpdaterHook"), "CosineAnnealingLrUpdaterHook");
  EXPECT_EQ(updater_hook_type("STEP", "LrUpdaterHook"), "STEPLrUpdaterHook");
  EXPECT_EQ(updater_hook_type("onecycle", "LrUpdaterHook"), "OnecycleLrUpdaterHook");
  EXPECT_EQ(updater_hook_type("cosine_restart", "X"), "Cosine_RestartX");
  EXPECT_EQ(updater_hook_type("a1b", "X"), "A1BX");
  EXPECT_EQ(updater_hook_type("cyclic", "MomentumUpdaterHook"), "CyclicMomentumUpdaterHook");
}

TEST(LrUpdaterHook, EveryMmcvPolicyIsRegistered) {
  for (const char* p :
       {"Fixed", "Step", "Exp", "Poly", "Inv", "CosineAnnealing", "FlatCosineAnnealing",
        "CosineRestart", "Cyclic", "OneCycle", "LinearAnnealing"})
    EXPECT_TRUE(HOOKS().contains(std::string(p) + "LrUpdaterHook")) << p;
  auto hook = build_lr_updater_hook(config("dict(policy='poly')"), "lr_config");
  EXPECT_EQ(hook->type(), "PolyLrUpdaterHook");
}

// MMAction2's RelativeStepLrUpdaterHook (mmaction/core/lr/multigridlr.py) is built in:
// lr = progress * (lrs[0] - warmuplr_start) / warmup_epochs + warmuplr_start while
// progress <= warmup_epochs (34 and 0.01 by default), then lrs[i] for the first steps[i] >
// progress.
std::vector<double> repeat7(std::initializer_list<double> per_epoch) {
  std::vector<double> want;
  for (double lr : per_epoch) want.insert(want.end(), 7, lr);
  return want;
}

TEST(LrUpdaterHook, RelativeStepIsBuiltInWithMmaction2Defaults) {
  // Default warmup: 0.01 + epoch * (0.35 - 0.01) / 34 = 0.01 + epoch * 0.01.
  auto got =
      lrs("EpochBasedRunner", 3, "dict(policy='RelativeStep', steps=[40, 50], lrs=[0.35, 0.035])");
  expect_doubles(got, repeat7({0.01, 0.02, 0.03}));
}

TEST(LrUpdaterHook, RelativeStepWarmsUpThenSteps) {
  // warmup_epochs=1: epoch 0 -> 0.1 + 0 * 0.3, epoch 1 (1 <= 1) -> 0.1 + 1 * 0.3 = 0.4; then
  // epochs 2 and 3 are below steps[1] = 4 (not below steps[0] = 2) -> lrs[1].
  auto got = lrs("EpochBasedRunner", 4,
                 "dict(policy='RelativeStep', steps=[2, 4], lrs=[0.4, 0.2], warmup_epochs=1, "
                 "warmuplr_start=0.1)");
  expect_doubles(got, repeat7({0.1, 0.4, 0.2, 0.2}));
  // A negative warmup_epochs means no warmup: MMAction2's tutorial schedule.
  got = lrs("EpochBasedRunner", 3,
            "dict(policy='RelativeStep', steps=[1, 2, 3], lrs=[0.5, 0.25, 0.125], "
            "warmup_epochs=-1)");
  expect_doubles(got, repeat7({0.5, 0.25, 0.125}));
}

TEST(LrUpdaterHook, RelativeStepRefusesWhatMmaction2CannotRun) {
  // Past the last step MMAction2's get_lr returns None and the optimizer step fails.
  EXPECT_NE(test::error_of([] {
              lrs("EpochBasedRunner", 2,
                  "dict(policy='RelativeStep', steps=[1], lrs=[0.5], warmup_epochs=-1)");
            }).find("epoch 1 is past the last of steps (1)"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              build_lr_updater_hook(config("dict(policy='RelativeStep', steps=[1, 2], lrs=[0.5])"),
                                    "lr_config");
            }).find("steps and lrs must be non-empty and of the same length"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              build_lr_updater_hook(
                  config("dict(policy='RelativeStep', steps=[1], lrs=[0.5], warmup_epochs=0)"),
                  "lr_config");
            }).find("warmup_epochs=0 divides by zero"),
            std::string::npos);
}

// MMAction2's TINLrUpdaterHook (mmaction/core/scheduler/lr_updater.py): annealing_cos(base_lr,
// min_lr, (progress - warmup_iters) / (max_progress - warmup_iters)) with a warmup, where
// annealing_cos(s, e, f) = e + 0.5 * (s - e) * (cos(pi * f) + 1); TIN's linear warmup multiplies
// by cur_iter / warmup_iters * (1 - warmup_ratio) + warmup_ratio.
double anneal(double start, double end, double factor) {
  return end + 0.5 * (start - end) * (std::cos(M_PI * factor) + 1);
}

TEST(LrUpdaterHook, TinMatchesMmaction2sOwnTest) {
  // MMAction2's tests/test_runtime/test_lr.py: lr 0.02, 10 iterations, min_lr 0.1, linear
  // warmup over 2 iterations from ratio 0.9; it logs 0.028544..., 0.044692..., 0.096955... at
  // iterations 1, 6 and 10.
  auto got = lrs("IterBasedRunner", 10,
                 "dict(policy='TIN', by_epoch=False, min_lr=0.1, warmup='linear', "
                 "warmup_iters=2, warmup_ratio=0.9)",
                 0.02);
  std::vector<double> want;
  for (int i = 0; i < 10; ++i) {
    double lr = anneal(0.02, 0.1, (i - 2) / 8.0);
    if (i < 2) lr *= i / 2.0 * (1 - 0.9) + 0.9;
    want.push_back(lr);
  }
  expect_doubles(got, want);
  ASSERT_EQ(got.size(), 10u);
  EXPECT_NEAR(got[0], 0.028544155877284292, 1e-15);
  EXPECT_NEAR(got[5], 0.04469266270539641, 1e-15);
  EXPECT_NEAR(got[9], 0.09695518130045147, 1e-15);
}

TEST(LrUpdaterHook, TinByEpochAndItsOtherWarmups) {
  // No warmup, by epoch: anneal(0.1, 0, epoch / 3).
  auto got = lrs("EpochBasedRunner", 3, "dict(policy='TIN', min_lr=0.0)");
  expect_doubles(got, repeat7({0.1, 0.075, 0.025}));
  // mmcv's exp warmup: regular lr * 0.5 ** (1 - i / 2) for i < 2.
  got = lrs("IterBasedRunner", 6,
            "dict(policy='TIN', by_epoch=False, min_lr=0.01, warmup='exp', warmup_iters=2, "
            "warmup_ratio=0.5)");
  std::vector<double> want;
  for (int i = 0; i < 6; ++i)
    want.push_back(anneal(0.1, 0.01, (i - 2) / 4.0) * (i < 2 ? std::pow(0.5, 1 - i / 2.0) : 1.0));
  expect_doubles(got, want);
  // warmup_by_epoch: one epoch = 7 warmup iterations, subtracted from the 14 of the run.
  got = lrs("EpochBasedRunner", 2,
            "dict(policy='TIN', by_epoch=False, min_lr=0.0, warmup='linear', warmup_iters=1, "
            "warmup_ratio=0.5, warmup_by_epoch=True)");
  want.clear();
  for (int i = 0; i < 14; ++i)
    want.push_back(anneal(0.1, 0.0, (i - 7) / 7.0) * (i < 7 ? i / 7.0 * 0.5 + 0.5 : 1.0));
  expect_doubles(got, want);
  EXPECT_NE(test::error_of([] {
              build_lr_updater_hook(config("dict(policy='TIN')"), "lr_config");
            }).find("missing required argument 'min_lr'"),
            std::string::npos);
}

std::string build_error(const std::string& lr_config) {
  return test::error_of([&] { build_lr_updater_hook(config(lr_config), "lr_config"); });
}

void expect_error(const std::string& lr_config, const std::string& fragment) {
  std::string message = build_error(lr_config);
  EXPECT_NE(message.find(fragment), std::string::npos) << lr_config << "\n -> " << message;
}

TEST(LrUpdaterHook, RefusesWhatMmcvRefuses) {
  expect_error("dict(policy='Stepp', step=3)",
               "'SteppLrUpdaterHook' is not in the HOOKS registry; did you mean "
               "'StepLrUpdaterHook'?");
  expect_error("dict(step=3)", "lr_config has no 'policy'");
  expect_error("dict(policy='step', step=3, warmup='cosine', warmup_iters=3)",
               "StepLrUpdaterHook: \"cosine\" is not a supported type for warming up");
  expect_error("dict(policy='step', step=3, warmup='linear', warmup_iters=0)",
               "\"warmup_iters\" must be a positive integer");
  expect_error("dict(policy='step', step=3, warmup='linear', warmup_iters=5, warmup_ratio=0)",
               "\"warmup_ratio\" must be in range (0,1]");
  expect_error("dict(policy='step', step=(3, 6))", "\"step\" must be a list or integer");
  expect_error("dict(policy='step', step=[3, 0])", "positive");
  expect_error("dict(policy='step', step=3, gama=0.5)", "unexpected argument 'gama'");
  expect_error("dict(policy='exp')", "missing required argument 'gamma'");
  expect_error("dict(policy='CosineAnnealing', min_lr=0.0, min_lr_ratio=0.1)",
               "exactly one of \"min_lr\" and \"min_lr_ratio\"");
  expect_error("dict(policy='LinearAnnealing')", "exactly one of");
  expect_error("dict(policy='FlatCosineAnnealing', start_percent=1, min_lr=0.0)",
               "expected float between 0 and 1 start_percent");
  expect_error("dict(policy='CosineRestart', periods=[5, 5], restart_weights=[1], min_lr=0.0)",
               "periods and restart_weights should have the same length.");
  expect_error("dict(policy='cyclic', target_ratio=[10, 1e-4])",
               "target_ratio should be either float or tuple");
  expect_error("dict(policy='cyclic', target_ratio=(1, 2, 3))",
               "\"target_ratio\" must be list or tuple of two floats");
  expect_error("dict(policy='cyclic', step_ratio_up=1.0)", "\"step_ratio_up\" must be in range");
  expect_error("dict(policy='cyclic', gamma=0)", "\"gamma\" must be in range (0, 1]");
  expect_error("dict(policy='cyclic', anneal_strategy='exp')",
               "anneal_strategy must be one of \"cos\" or \"linear\"");
  expect_error("dict(policy='cyclic', by_epoch=True)",
               "CyclicLrUpdaterHook: currently only support \"by_epoch\" = False");
  expect_error("dict(policy='OneCycle', max_lr=(0.1,))", "the type of max_lr must be");
  expect_error("dict(policy='OneCycle', max_lr=0.1, pct_start=1)",
               "expected float between 0 and 1 pct_start");
  expect_error("dict(policy='OneCycle', max_lr=0.1, total_steps=10.0)",
               "the type of total_steps must be int");
}

TEST(LrUpdaterHook, OneCyclePerGroupMaxLrMustMatchTheGroups) {
  test::ScheduleRun run(test::runner_config("IterBasedRunner", 4), test::sgd_config());
  run.add_hooks(
      build_lr_updater_hook(config("dict(policy='OneCycle', max_lr=[0.1, 0.2])"), "lr_config"),
      nullptr);
  EXPECT_NE(test::error_of([&] { run.run(); }).find("expected 1 values for SGD, got 2"),
            std::string::npos);
}

TEST(LrUpdaterHook, WarmupByEpochNeedsEpochs) {
  test::ScheduleRun run(test::runner_config("IterBasedRunner", 4), test::sgd_config());
  run.add_hooks(build_lr_updater_hook(config("dict(policy='fixed', by_epoch=False, "
                                             "warmup='linear', warmup_iters=1, "
                                             "warmup_by_epoch=True)"),
                                      "lr_config"),
                nullptr);
  EXPECT_NE(test::error_of([&] { run.run(); }).find("warmup_iters is unknown"), std::string::npos);
}

}  // namespace
}  // namespace tubelet::lr_updater_test
