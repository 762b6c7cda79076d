// The config side of training: runner from `runner` or `total_epochs`, hooks registered in
// mmcv's order and priorities, resume_from / auto_resume / load_from.
#include <gtest/gtest.h>

#include "support/paths.h"
#include "toy_training.h"
#include "tubelet/config/config.h"
#include "tubelet/engine/training_setup.h"

namespace tubelet::training_setup_test {
namespace {

const char* kSchedule = R"(
optimizer_config = dict(grad_clip=dict(max_norm=40, norm_type=2))
lr_config = dict(policy='step', step=[2])
checkpoint_config = dict(interval=1)
log_config = dict(interval=1, hooks=[dict(type='TextLoggerHook')])
custom_hooks = [dict(type='IterTimerHook', priority='HIGHEST')]
total_epochs = 3
)";

std::shared_ptr<Runner> make_runner(const Dict& cfg, const std::filesystem::path& work_dir) {
  auto model = std::make_shared<test::ToyModel>(0.0);
  auto optimizer =
      std::make_shared<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(0.1));
  return build_runner(
      runner_config(cfg),
      {model, optimizer, work_dir, std::make_shared<Logger>("mmaction", false), Dict{}, ""});
}

TEST(TrainingSetup, RegistersHooksInMmcvOrder) {
  test::TempDir dir;
  Dict cfg = load_config_text(kSchedule, "/tmp/schedule.py");
  auto runner = make_runner(cfg, dir.path());
  register_training_hooks(*runner, training_hook_configs(cfg));
  std::vector<std::string> got;
  for (const auto& [hook, priority] : runner->hooks())
    got.push_back(hook->type() + "@" + std::to_string(priority));
  EXPECT_EQ(got, (std::vector<std::string>{"IterTimerHook@0", "StepLrUpdaterHook@10",
                                           "OptimizerHook@40", "CheckpointHook@50",
                                           "IterTimerHook@70", "TextLoggerHook@90"}));
  EXPECT_EQ(runner->max_epochs(), 3);
}

TEST(TrainingSetup, RunnerDictWinsOverTotalEpochs) {
  Dict cfg = load_config_text(
      "runner = dict(type='IterBasedRunner', max_iters=7)\ntotal_epochs = 3\n", "/tmp/r.py");
  EXPECT_EQ(runner_config(cfg).as_dict().at("type").as_str(), "IterBasedRunner");
  Dict none = load_config_text("x = 1\n", "/tmp/r.py");
  EXPECT_NE(test::error_of([&] { runner_config(none); }).find("total_epochs"), std::string::npos);
}

TEST(TrainingSetup, BadHookConfigsNameTheirPlace) {
  test::TempDir dir;
  Dict cfg = load_config_text(
      "total_epochs = 1\nlog_config = dict(interval=1, hooks=[dict(type='TextLogerHook')])\n",
      "/tmp/bad.py");
  auto runner = make_runner(cfg, dir.path());
  std::string error =
      test::error_of([&] { register_training_hooks(*runner, training_hook_configs(cfg)); });
  EXPECT_NE(error.find("did you mean 'TextLoggerHook'"), std::string::npos) << error;
  Dict cfg2 = load_config_text("total_epochs = 1\ncheckpoint_config = dict(interval=1, every=2)\n",
                               "/tmp/bad2.py");
  error = test::error_of([&] { register_training_hooks(*runner, training_hook_configs(cfg2)); });
  EXPECT_NE(error.find("every"), std::string::npos) << error;
  EXPECT_NE(error.find("checkpoint_config"), std::string::npos) << error;
}

TEST(TrainingSetup, AutoResumeContinuesFromLatest) {
  test::TempDir dir;
  Dict cfg = load_config_text(std::string(kSchedule) + "auto_resume = True\n", "/tmp/s.py");
  {
    Dict two = cfg;
    two.set("total_epochs", Value(int64_t{2}));
    auto runner = make_runner(two, dir.path());
    register_training_hooks(*runner, training_hook_configs(two));
    EXPECT_EQ(resume_or_load(*runner, read_resume_config(two)), "");
    test::ToyLoader loader(8, 4);
    runner->run({&loader}, {{"train", 1}});
  }
  auto runner = make_runner(cfg, dir.path());
  register_training_hooks(*runner, training_hook_configs(cfg));
  EXPECT_EQ(resume_or_load(*runner, read_resume_config(cfg)), (dir.path() / "latest.pth").string());
  EXPECT_EQ(runner->epoch(), 2);
  EXPECT_EQ(runner->iter(), 4);
  test::ToyLoader loader(8, 4);
  runner->run({&loader}, {{"train", 1}});
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "epoch_3.pth"));
  // Step at epoch 2: the resumed schedule has decayed lr by gamma.
  EXPECT_NEAR(runner->current_lr()[0], 0.01, 1e-12);
}

}  // namespace
}  // namespace tubelet::training_setup_test
