// Momentum updater hooks on hand-computed schedules: warmup divides, betas[0] for Adam, the
// kept base momentum, OneCycle's per-group bounds, and mmcv's refusals. (mmcv's own values
// for Step/Cosine/Linear/Cyclic are checked by lr_updater_golden_test.cpp.)
#include <gtest/gtest.h>
#include <torch/optim/adam.h>

#include <cmath>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/engine/hooks/lr_updater_hook.h"
#include "tubelet/engine/hooks/momentum_updater_hook.h"
#include "tubelet/optim/group_options.h"
#include "updater_hook_support.h"

namespace tubelet::momentum_updater_test {
namespace {

Value config(const std::string& python_dict) {
  Dict cfg = load_config_text("c = " + python_dict + "\n", "test.py");
  return cfg.at("c");
}

std::shared_ptr<Hook> momentum_hook(const std::string& cfg) {
  return build_momentum_updater_hook(config(cfg), "momentum_config");
}

std::vector<double> momentums(const std::string& runner, int64_t max, const std::string& cfg) {
  test::ScheduleRun run(test::runner_config(runner, max), test::sgd_config(0.1, 0.9));
  run.add_hooks(nullptr, momentum_hook(cfg));
  run.run();
  return run.recorder->momentum[0];
}

void expect_doubles(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-12 * std::abs(expected[i]) + 1e-15) << "at " << i;
}

TEST(MomentumUpdaterHook, ConstantWarmupDividesByTheRatio) {
  // 0.9 / 0.9 = 1.0 for the 3 warmup iterations, then the regular 0.9.
  auto got = momentums("EpochBasedRunner", 1,
                       "dict(policy='step', step=[5], warmup='constant', warmup_iters=3, "
                       "warmup_ratio=0.9)");
  expect_doubles(got, {0.9 / 0.9, 0.9 / 0.9, 0.9 / 0.9, 0.9, 0.9, 0.9, 0.9});
}

TEST(MomentumUpdaterHook, LinearWarmupDivides) {
  // k = (1 - i / 2) * (1 - 0.5); momentum = 0.9 / (1 - k).
  auto got = momentums("IterBasedRunner", 3,
                       "dict(policy='step', step=10, by_epoch=False, warmup='linear', "
                       "warmup_iters=2, warmup_ratio=0.5)");
  expect_doubles(got, {0.9 / 0.5, 0.9 / 0.75, 0.9});
}

TEST(MomentumUpdaterHook, StepByEpochWithMinMomentum) {
  auto got =
      momentums("EpochBasedRunner", 3, "dict(policy='step', step=1, gamma=0.5, min_momentum=0.3)");
  std::vector<double> want;
  for (double m : {0.9, 0.45, 0.3}) want.insert(want.end(), 7, m);
  expect_doubles(got, want);
}

TEST(MomentumUpdaterHook, LinearAnnealingPerIteration) {
  auto got = momentums("IterBasedRunner", 4,
                       "dict(policy='LinearAnnealing', min_momentum_ratio=0.5, by_epoch=False)");
  expect_doubles(
      got, {0.9, 0.9 + (0.45 - 0.9) * 0.25, 0.9 + (0.45 - 0.9) * 0.5, 0.9 + (0.45 - 0.9) * 0.75});
}

TEST(MomentumUpdaterHook, OneCycleGoesDownThenUpPerGroup) {
  // max_iters 10, pct_start 0.3: phase ends at iterations 2 and 9.
  Dict sgd = test::sgd_config(0.1, 0.5);
  sgd.set("param_groups", config("[dict(lr=0.1), dict(lr=0.1)]"));
  test::ScheduleRun run(test::runner_config("IterBasedRunner", 10), sgd, 2);
  run.add_hooks(nullptr, momentum_hook("dict(policy='OneCycle', base_momentum=[0.85, 0.8], "
                                       "max_momentum=0.95, anneal_strategy='linear')"));
  run.run();
  const auto& g0 = run.recorder->momentum[0];
  const auto& g1 = run.recorder->momentum[1];
  EXPECT_DOUBLE_EQ(g0[0], 0.95);
  EXPECT_DOUBLE_EQ(g0[1], 0.95 + (0.85 - 0.95) * 0.5);
  EXPECT_DOUBLE_EQ(g0[2], 0.85);
  EXPECT_DOUBLE_EQ(g0[3], 0.85 + (0.95 - 0.85) * (1.0 / 7));
  EXPECT_DOUBLE_EQ(g0[9], 0.95);
  EXPECT_DOUBLE_EQ(g1[2], 0.8);
}

TEST(MomentumUpdaterHook, AdamSchedulesBetas0AndKeepsBetas1) {
  auto model = std::make_shared<test::TinyModel>(1);
  RunnerParts parts;
  parts.model = model;
  parts.optimizer = std::make_shared<torch::optim::Adam>(
      model->params, torch::optim::AdamOptions(0.1).betas(std::make_tuple(0.9, 0.99)));
  parts.logger = std::make_shared<Logger>("test", false);
  auto runner = RUNNERS().build(test::runner_config("IterBasedRunner", 2), BuildContext("runner"),
                                std::move(parts));
  auto recorder = std::make_shared<test::RecordingHook>();
  runner->register_hook(
      momentum_hook("dict(policy='CosineAnnealing', min_momentum=0.5, by_epoch=False)"),
      Value("HIGH"));
  runner->register_hook(recorder, Value("LOW"));
  test::CountingLoader loader;
  runner->run({&loader}, {{"train", 1}});
  expect_doubles(recorder->momentum[0], {0.9, 0.5 + 0.5 * 0.4 * (std::cos(M_PI / 2) + 1)});
  Value betas = get_group_option(runner->optimizer().param_groups()[0].options(), "betas");
  EXPECT_DOUBLE_EQ(betas.as_list()[1].as_float(), 0.99);
}

TEST(MomentumUpdaterHook, BaseMomentumIsKeptAndCanBeRestored) {
  auto hook = std::dynamic_pointer_cast<MomentumUpdaterHook>(
      momentum_hook("dict(policy='step', step=1, by_epoch=False)"));
  ASSERT_TRUE(hook);
  test::ScheduleRun fresh(test::runner_config("IterBasedRunner", 1), test::sgd_config(0.1, 0.8));
  fresh.add_hooks(nullptr, hook);
  fresh.run();
  EXPECT_EQ(fresh.runner->initial_momentums(), std::vector<double>{0.8});

  auto resumed_hook = std::dynamic_pointer_cast<MomentumUpdaterHook>(
      momentum_hook("dict(policy='step', step=1, by_epoch=False)"));
  test::ScheduleRun resumed(test::runner_config("IterBasedRunner", 2), test::sgd_config(0.1, 0.3));
  resumed.runner->initial_momentums() = {0.6};
  resumed.add_hooks(nullptr, resumed_hook);
  resumed.run();
  expect_doubles(resumed.recorder->momentum[0], {0.6, 0.3});
}

TEST(MomentumUpdaterHook, EveryMmcvPolicyIsRegistered) {
  for (const char* p : {"Step", "CosineAnnealing", "LinearAnnealing", "Cyclic", "OneCycle"})
    EXPECT_TRUE(HOOKS().contains(std::string(p) + "MomentumUpdaterHook")) << p;
  EXPECT_EQ(momentum_hook("dict(policy='cyclic')")->type(), "CyclicMomentumUpdaterHook");
}

void expect_error(const std::string& cfg, const std::string& fragment) {
  std::string message = test::error_of([&] { momentum_hook(cfg); });
  EXPECT_NE(message.find(fragment), std::string::npos) << cfg << "\n -> " << message;
}

TEST(MomentumUpdaterHook, RefusesWhatMmcvRefuses) {
  expect_error("dict(policy='Stepp', step=2)",
               "'SteppMomentumUpdaterHook' is not in the HOOKS registry; did you mean "
               "'StepMomentumUpdaterHook'?");
  expect_error("dict(policy='step', step=2, warmup='cos', warmup_iters=2)",
               "\"cos\" is not a supported type for warming up");
  expect_error("dict(policy='step', step=2, warmup='exp', warmup_iters=0)",
               "\"warmup_iters\" must be a positive integer");
  expect_error("dict(policy='step', step=2, warmup='exp', warmup_iters=2, warmup_ratio=1.5)",
               "\"warmup_momentum\" must be in range (0,1]");
  expect_error("dict(policy='step', step=(2,))", "\"step\" must be a list or integer");
  expect_error("dict(policy='CosineAnnealing')",
               "exactly one of \"min_momentum\" and \"min_momentum_ratio\"");
  expect_error("dict(policy='cyclic', target_ratio=[0.8, 1.0])",
               "target_ratio should be either float or tuple");
  expect_error("dict(policy='cyclic', by_epoch=True)",
               "CyclicMomentumUpdaterHook: currently only support \"by_epoch\" = False");
  expect_error("dict(policy='OneCycle', by_epoch=True)", "currently only support");
  expect_error("dict(policy='OneCycle', base_momentum=1)", "base_momentum must be the type");
  expect_error("dict(policy='OneCycle', pct_start=0)", "Expected float between 0 and 1 pct_start");
  expect_error("dict(policy='step', step=2, min_lr=0.1)", "unexpected argument 'min_lr'");
}

}  // namespace
}  // namespace tubelet::momentum_updater_test
