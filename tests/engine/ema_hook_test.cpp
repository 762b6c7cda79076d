// EMAHook against mmcv 1.7.0's own (tests/fixtures/ema_hook, written by
// tools/fixtures/make_ema_hook_fixtures.py): the same tiny model, weights, batches and SGD
// trained two epochs by the EpochBasedRunner leave the same parameters and ema_ buffers after
// each epoch; checkpoints carry the buffers under mmcv's names and order; resume_from restores
// them. DistSamplerSeedHook: a config listing it in custom_hooks builds and trains, calling
// the loader's set_epoch before each training epoch as the runner does.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "toy_training.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/engine/hooks/ema_hook.h"
#include "tubelet/engine/runner.h"
#include "tubelet/engine/training_setup.h"

namespace tubelet::ema_hook_test {
namespace {

const checkpoint::StateDict& fixture() {
  static const checkpoint::StateDict f =
      checkpoint::load_checkpoint(
          (test::source_dir() / "tests/fixtures/ema_hook/ema_hook.pth").string())
          .state_dict;
  return f;
}

Value hook_cfg(const std::string& text) {
  return load_config_text("h = " + text + "\n", "/tmp/hook.py").at("h");
}

// The fixture's 12 samples in 3 batches of 4, in the same order every epoch.
class EmaFixedLoader : public DataLoader {
 public:
  int64_t size() const override { return 3; }
  void set_epoch(int64_t epoch) override { epochs.push_back(epoch); }
  void start() override { next_ = 0; }
  std::optional<Batch> next() override {
    if (next_ >= 3) return std::nullopt;
    Batch b;
    b.tensors = {{"imgs", fixture()["x"].slice(0, 4 * next_, 4 * next_ + 4)},
                 {"label", fixture()["y"].slice(0, 4 * next_, 4 * next_ + 4)}};
    ++next_;
    return b;
  }
  std::vector<int64_t> epochs;

 private:
  int64_t next_ = 0;
};

// Copies the model's state_dict after each training epoch (after EMAHook's swap).
class EmaStateProbe : public Hook {
 public:
  std::string type() const override { return "EmaStateProbe"; }
  void after_train_epoch(Runner& r) override {
    checkpoint::StateDict copy;
    for (const auto& item : checkpoint::state_dict(r.model()))
      copy.insert(item.key(), item.value().clone());
    states.push_back(copy);
  }
  std::vector<checkpoint::StateDict> states;
};

struct EmaRun {
  EmaRun(const std::string& ema, std::filesystem::path work_dir = {}, int64_t epochs = 2) {
    model = std::make_shared<test::ToyModel>(0.0);
    torch::NoGradGuard no_grad;
    model->fc->weight.copy_(fixture()["init.fc.weight"]);
    model->fc->bias.copy_(fixture()["init.fc.bias"]);
    auto optimizer = std::make_shared<torch::optim::SGD>(
        model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
    Value runner_cfg =
        load_config_text(
            "r = dict(type='EpochBasedRunner', max_epochs=" + std::to_string(epochs) + ")\n",
            "/tmp/r.py")
            .at("r");
    runner = build_runner(runner_cfg, {model, optimizer, std::move(work_dir),
                                       std::make_shared<Logger>("mmaction", false), Dict{}, ""});
    runner->register_hook_from_cfg(hook_cfg("dict(type='OptimizerHook')"), "optimizer_config");
    runner->register_hook_from_cfg(hook_cfg(ema), "custom_hooks[0]");
    probe = std::make_shared<EmaStateProbe>();
    runner->register_hook(probe, Value("LOWEST"));
  }
  void run() { runner->run({&loader}, {{"train", 1}}); }
  std::shared_ptr<test::ToyModel> model;
  std::shared_ptr<Runner> runner;
  std::shared_ptr<EmaStateProbe> probe;
  EmaFixedLoader loader;
};

const std::vector<std::string> kMmcvKeys = {"ema_fc_weight", "ema_fc_bias", "fc.weight", "fc.bias"};

void expect_epochs_match(const std::string& ema, const std::string& prefix) {
  EmaRun run(ema);
  run.run();
  ASSERT_EQ(run.probe->states.size(), 2u);
  for (int epoch = 1; epoch <= 2; ++epoch) {
    const checkpoint::StateDict& got = run.probe->states[static_cast<size_t>(epoch - 1)];
    std::vector<std::string> keys;
    for (const auto& item : got) keys.push_back(item.key());
    EXPECT_EQ(keys, kMmcvKeys);
    for (const std::string& key : kMmcvKeys) {
      const std::string name = prefix + ".epoch" + std::to_string(epoch) + "." + key;
      ASSERT_TRUE(fixture().contains(name)) << name;
      EXPECT_TRUE(torch::allclose(got[key], fixture()[name], 1e-5, 1e-6)) << name << "\n"
                                                                          << got[key] << "\n"
                                                                          << fixture()[name];
    }
  }
}

TEST(EMAHook, MatchesMmcvWithIntervalAndWarmUp) {
  expect_epochs_match("dict(type='EMAHook', momentum=0.3, interval=2, warm_up=3)", "a");
}

TEST(EMAHook, MatchesMmcvEveryIteration) {
  expect_epochs_match("dict(type='EMAHook', momentum=0.1, interval=1, warm_up=5)", "b");
}

TEST(EMAHook, BufferNamesAndCheckpointKeysAsMmcv) {
  EXPECT_EQ(EMAHook::buffer_name("backbone.layer1.0.conv1.conv.weight"),
            "ema_backbone_layer1_0_conv1_conv_weight");
  test::TempDir dir;
  EmaRun run("dict(type='EMAHook', momentum=0.3, interval=2, warm_up=3)", dir.path());
  run.run();
  auto path = run.runner->save_checkpoint(dir.path(), "epoch_{}.pth");
  auto saved = checkpoint::load_checkpoint(path.string()).state_dict;
  std::vector<std::string> keys;
  for (const auto& item : saved) keys.push_back(item.key());
  EXPECT_EQ(keys, kMmcvKeys);
  EXPECT_TRUE(
      torch::equal(saved["ema_fc_weight"], fixture()["a.epoch2.ema_fc_weight"]) ||
      torch::allclose(saved["ema_fc_weight"], fixture()["a.epoch2.ema_fc_weight"], 1e-5, 1e-6));

  // resume_from: the buffers are registered first, then the checkpoint fills them.
  EmaRun resumed("dict(type='EMAHook', momentum=0.3, interval=2, warm_up=3, resume_from='" +
                 path.string() + "')");
  resumed.run();  // the checkpoint (saved after the run: epoch 3) is past max_epochs
  EXPECT_EQ(resumed.runner->epoch(), 3);
  EXPECT_TRUE(resumed.probe->states.empty());
  auto now = checkpoint::state_dict(*resumed.model);
  for (const std::string& key : kMmcvKeys) EXPECT_TRUE(torch::equal(now[key], saved[key])) << key;
}

TEST(EMAHook, ArgumentErrors) {
  auto error = [](const std::string& cfg) {
    return test::error_of([&] { HOOKS().build(hook_cfg(cfg), BuildContext("custom_hooks[0]")); });
  };
  std::string e = error("dict(type='EMAHook', momentum=1.0)");
  EXPECT_NE(e.find("EMAHook"), std::string::npos) << e;
  EXPECT_NE(e.find("momentum"), std::string::npos) << e;
  e = error("dict(type='EMAHook', interval=0)");
  EXPECT_NE(e.find("interval"), std::string::npos) << e;
  e = error("dict(type='EMAHook', decay=0.9)");
  EXPECT_NE(e.find("decay"), std::string::npos) << e;
  EXPECT_THROW(EMAHook(EMAHookOptions{0.0, 1, 100, std::nullopt}), std::invalid_argument);
}

TEST(DistSamplerSeedHook, ConfigNamingItTrains) {
  test::TempDir dir;
  Dict cfg = load_config_text(R"(
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='fixed')
checkpoint_config = dict(interval=10)
log_config = dict(interval=100, hooks=[])
custom_hooks = [dict(type='DistSamplerSeedHook')]
total_epochs = 3
)",
                              "/tmp/dist_sampler.py");
  auto model = std::make_shared<test::ToyModel>(0.0);
  auto optimizer =
      std::make_shared<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(0.05));
  auto runner = build_runner(
      runner_config(cfg),
      {model, optimizer, dir.path(), std::make_shared<Logger>("mmaction", false), Dict{}, ""});
  register_training_hooks(*runner, training_hook_configs(cfg));
  bool listed = false;
  for (const auto& [hook, priority] : runner->hooks())
    if (hook->type() == "DistSamplerSeedHook") listed = (priority == 50);
  EXPECT_TRUE(listed);
  EmaFixedLoader loader;
  torch::Tensor before = model->fc->weight.detach().clone();
  runner->run({&loader}, {{"train", 1}});
  EXPECT_EQ(runner->epoch(), 3);
  EXPECT_FALSE(torch::equal(before, model->fc->weight));
  // The hook's call, then the runner's own, with the same epoch.
  EXPECT_EQ(loader.epochs, (std::vector<int64_t>{0, 0, 1, 1, 2, 2}));
}

}  // namespace
}  // namespace tubelet::ema_hook_test
