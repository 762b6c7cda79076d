// EpochBasedRunner and IterBasedRunner: mmcv's loop order and positions, hook priorities,
// checkpoints (atomic, latest.pth, max_keep_ckpts), and a resumed run ending bitwise equal
// to an unbroken one.
#include <gtest/gtest.h>

#include <fstream>

#include "support/paths.h"
#include "toy_training.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/engine/priority.h"
#include "tubelet/engine/runner.h"

namespace tubelet::runner_test {
namespace {

// Records which hook points ran, with the runner's position.
class RecordingHook : public Hook {
 public:
  RecordingHook(std::vector<std::string>* log, std::string name)
      : log_(log), name_(std::move(name)) {}
  std::string type() const override { return "RecordingHook"; }
  void before_run(Runner&) override { add("before_run"); }
  void after_run(Runner&) override { add("after_run"); }
  void before_train_epoch(Runner& r) override { add("before_train_epoch " + pos(r)); }
  void after_train_epoch(Runner& r) override { add("after_train_epoch " + pos(r)); }
  void before_train_iter(Runner& r) override { add("before_train_iter " + pos(r)); }
  void before_val_epoch(Runner& r) override { add("before_val_epoch " + pos(r)); }
  void after_val_iter(Runner& r) override { add("after_val_iter " + pos(r)); }

 private:
  static std::string pos(Runner& r) {
    return std::to_string(r.epoch()) + "/" + std::to_string(r.iter()) + "/" +
           std::to_string(r.inner_iter());
  }
  void add(const std::string& what) { log_->push_back(name_.empty() ? what : name_ + ":" + what); }
  std::vector<std::string>* log_;
  std::string name_;
};

Value runner_cfg(const std::string& text) {
  return load_config_text("runner = " + text + "\n", "/tmp/runner.py").at("runner");
}

struct ToyRun {
  explicit ToyRun(const std::string& runner, std::filesystem::path work_dir = {}) {
    model = std::make_shared<test::ToyModel>();
    optimizer = std::make_shared<torch::optim::SGD>(model->parameters(),
                                                    torch::optim::SGDOptions(0.05).momentum(0.9));
    RunnerParts parts{
        model,  optimizer, std::move(work_dir), std::make_shared<Logger>("mmaction", false),
        Dict{}, ""};
    this->runner = RUNNERS().build(runner_cfg(runner), {"runner"}, parts);
  }
  std::shared_ptr<test::ToyModel> model;
  std::shared_ptr<torch::optim::SGD> optimizer;
  std::shared_ptr<Runner> runner;
};

Value hook_cfg(const std::string& text) {
  return load_config_text("h = " + text + "\n", "/tmp/hook.py").at("h");
}

TEST(Runner, EpochBasedLoopCallsHooksInMmcvOrder) {
  ToyRun s("dict(type='EpochBasedRunner', max_epochs=2)");
  std::vector<std::string> log;
  s.runner->register_hook(std::make_shared<RecordingHook>(&log, ""));
  test::ToyLoader train(6, 3), val(2, 2);
  s.runner->run({&train, &val}, {{"train", 1}, {"val", 1}});
  std::vector<std::string> expected = {"before_run",
                                       "before_train_epoch 0/0/0",
                                       "before_train_iter 0/0/0",
                                       "before_train_iter 0/1/1",
                                       "after_train_epoch 0/2/1",
                                       "before_val_epoch 1/2/1",
                                       "after_val_iter 1/2/0",
                                       "before_train_epoch 1/2/0",
                                       "before_train_iter 1/2/0",
                                       "before_train_iter 1/3/1",
                                       "after_train_epoch 1/4/1",
                                       "before_val_epoch 2/4/1",
                                       "after_val_iter 2/4/0",
                                       "after_run"};
  EXPECT_EQ(log, expected);
  EXPECT_EQ(s.runner->max_iters(), 4);
}

// As mmcv, the epoch is read before the batch that finds the pass exhausted, so the first
// batch of a pass still carries the previous epoch.
TEST(Runner, IterBasedLoopRestartsLoadersAndCountsEpochs) {
  ToyRun s("dict(type='IterBasedRunner', max_iters=5)");
  std::vector<std::string> log;
  s.runner->register_hook(std::make_shared<RecordingHook>(&log, ""));
  test::ToyLoader train(4, 2);  // two batches per pass
  s.runner->run({&train}, {{"train", 5}});
  std::vector<std::string> expected = {"before_run",
                                       "before_train_iter 0/0/0",
                                       "before_train_iter 0/1/1",
                                       "before_train_iter 0/2/2",
                                       "before_train_iter 1/3/3",
                                       "before_train_iter 1/4/4",
                                       "after_run"};
  EXPECT_EQ(log, expected);
  EXPECT_EQ(train.starts, 3);
}

TEST(Runner, HooksRunByPriorityThenRegistrationOrder) {
  ToyRun s("dict(type='EpochBasedRunner', max_epochs=1)");
  std::vector<std::string> log;
  s.runner->register_hook(std::make_shared<RecordingHook>(&log, "normal1"));
  s.runner->register_hook(std::make_shared<RecordingHook>(&log, "low"), Value("LOW"));
  s.runner->register_hook(std::make_shared<RecordingHook>(&log, "very_high"), Value("very_high"));
  s.runner->register_hook(std::make_shared<RecordingHook>(&log, "normal2"), Value(50));
  s.runner->register_hook(std::make_shared<RecordingHook>(&log, "p0"), Value(0));
  test::ToyLoader train(2, 2);
  s.runner->run({&train}, {{"train", 1}});
  std::vector<std::string> first(log.begin(), log.begin() + 5);
  EXPECT_EQ(first,
            (std::vector<std::string>{"p0:before_run", "very_high:before_run", "normal1:before_run",
                                      "normal2:before_run", "low:before_run"}));
  EXPECT_EQ(get_priority(Value("ABOVE_NORMAL")), 40);
  EXPECT_NE(test::error_of([] { get_priority(Value(101)); }).find("between 0 and 100"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { get_priority(Value("URGENT")); }).find("unknown priority"),
            std::string::npos);
}

TEST(Runner, OptimizerHookTrainsTheModel) {
  ToyRun s("dict(type='EpochBasedRunner', max_epochs=30)");
  s.model->drop->options.p(0.0);
  s.runner->register_hook_from_cfg(hook_cfg("dict(type='OptimizerHook', grad_clip=None)"),
                                   "optimizer_config");
  test::ToyLoader train(16, 4);
  double first = 0, last = 0;
  struct LossProbe : Hook {
    double* first;
    double* last;
    std::string type() const override { return "LossProbe"; }
    void after_train_iter(Runner& r) override {
      double loss = r.outputs().loss.item<double>();
      if (r.iter() == 0) *first = loss;
      *last = loss;
    }
  };
  auto probe = std::make_shared<LossProbe>();
  probe->first = &first;
  probe->last = &last;
  s.runner->register_hook(probe, Value("LOW"));
  s.runner->run({&train}, {{"train", 1}});
  EXPECT_LT(last, first * 0.05) << first << " -> " << last;
}

// The weights after one epoch of `optimizer_config` over batches of `batch_size` (no
// dropout, so only the batching differs).
torch::Tensor weights_after_epoch(const std::string& optimizer_config, int64_t samples,
                                  int64_t batch_size) {
  ToyRun s("dict(type='EpochBasedRunner', max_epochs=1)");
  s.model->drop->options.p(0.0);
  s.runner->register_hook_from_cfg(hook_cfg(optimizer_config), "optimizer_config");
  test::ToyLoader train(samples, batch_size);
  s.runner->run({&train}, {{"train", 1}});
  return s.model->fc->weight.detach().clone();
}

// mmcv's GradientCumulativeOptimizerHook: 2 iterations of batch 2 step as 1 of batch 4; with
// 6 iterations and cumulative_iters=4 the last 2 form a group of their own (batch 8, then 4).
TEST(Runner, GradientCumulativeOptimizerHookStepsAsALargerBatch) {
  const std::string cumulative = "dict(type='GradientCumulativeOptimizerHook', cumulative_iters=";
  const torch::Tensor plain4 = weights_after_epoch("dict(type='OptimizerHook')", 16, 4);
  const torch::Tensor cumulative2 = weights_after_epoch(cumulative + "2)", 16, 2);
  EXPECT_TRUE(torch::allclose(cumulative2, plain4, 1e-5, 1e-6)) << cumulative2 << plain4;
  const torch::Tensor plain8 = weights_after_epoch("dict(type='OptimizerHook')", 12, 8);
  const torch::Tensor cumulative4 = weights_after_epoch(cumulative + "4)", 12, 2);
  EXPECT_TRUE(torch::allclose(cumulative4, plain8, 1e-5, 1e-6)) << cumulative4 << plain8;
  EXPECT_FALSE(torch::allclose(cumulative4, weights_after_epoch(cumulative + "1)", 12, 2)));
  EXPECT_NE(test::error_of([&] {
              weights_after_epoch(cumulative + "0)", 4, 2);
            }).find("cumulative_iters only accepts positive int"),
            std::string::npos);
}

// Trains `epochs` epochs from scratch, or from `resume_from`, saving every epoch.
torch::Tensor train_toy(const std::filesystem::path& work_dir, int64_t epochs,
                        const std::string& resume_from = "") {
  ToyRun s("dict(type='EpochBasedRunner', max_epochs=" + std::to_string(epochs) + ")", work_dir);
  s.runner->register_hook_from_cfg(
      hook_cfg("dict(type='OptimizerHook', grad_clip=dict(max_norm=1.0))"), "optimizer_config");
  s.runner->register_hook_from_cfg(hook_cfg("dict(type='CheckpointHook', interval=1)"),
                                   "checkpoint_config");
  if (!resume_from.empty()) s.runner->resume(resume_from);
  test::ToyLoader train(12, 4);
  s.runner->run({&train}, {{"train", 1}});
  return s.model->fc->weight.detach().clone();
}

TEST(Runner, ResumedRunEndsBitwiseEqualToAnUnbrokenOne) {
  test::TempDir a, b;
  torch::Tensor unbroken = train_toy(a.path(), 4);
  train_toy(b.path(), 2);
  ASSERT_TRUE(std::filesystem::is_symlink(b.path() / "latest.pth"));
  EXPECT_EQ(std::filesystem::read_symlink(b.path() / "latest.pth"), "epoch_2.pth");
  torch::Tensor resumed = train_toy(b.path(), 4, (b.path() / "latest.pth").string());
  EXPECT_TRUE(torch::equal(unbroken, resumed)) << unbroken << resumed;
  EXPECT_TRUE(std::filesystem::exists(b.path() / "epoch_4.pth"));

  auto ckpt = checkpoint::load_checkpoint((b.path() / "epoch_4.pth").string());
  EXPECT_EQ(ckpt.meta.as_dict().at("epoch").as_int(), 4);
  EXPECT_EQ(ckpt.meta.as_dict().at("iter").as_int(), 12);
  EXPECT_TRUE(ckpt.state_dict.contains("fc.weight"));
  auto groups = checkpoint::to_value(*ckpt.optimizer.root->get("param_groups"));
  ASSERT_TRUE(groups);
  EXPECT_DOUBLE_EQ(groups->as_list()[0].as_dict().at("momentum").as_float(), 0.9);
}

TEST(Runner, MaxKeepCkptsRemovesOlderCheckpoints) {
  test::TempDir dir;
  ToyRun s("dict(type='IterBasedRunner', max_iters=6)", dir.path());
  s.runner->register_hook_from_cfg(
      hook_cfg("dict(type='CheckpointHook', interval=2, by_epoch=False, max_keep_ckpts=2)"),
      "checkpoint_config");
  test::ToyLoader train(4, 2);
  s.runner->run({&train}, {{"train", 1}});
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "iter_2.pth"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "iter_4.pth"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "iter_6.pth"));
  EXPECT_EQ(s.runner->meta().at("hook_msgs").as_dict().at("last_ckpt").as_str(),
            (dir.path() / "iter_6.pth").string());
}

TEST(Runner, TextLoggerWritesMmcvJsonLines) {
  test::TempDir dir;
  auto model = std::make_shared<test::ToyModel>();
  auto optimizer =
      std::make_shared<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(0.01));
  Dict meta;
  meta.set("seed", Value(int64_t{7}));
  RunnerParts parts{model,      optimizer,
                    dir.path(), std::make_shared<Logger>("mmaction", false),
                    meta,       "20261125_120000"};
  auto runner =
      RUNNERS().build(runner_cfg("dict(type='EpochBasedRunner', max_epochs=1)"), {"runner"}, parts);
  runner->register_hook_from_cfg(hook_cfg("dict(type='IterTimerHook')"), "timer");
  runner->register_hook_from_cfg(hook_cfg("dict(type='TextLoggerHook', interval=2)"), "log");
  test::ToyLoader train(8, 2);
  runner->run({&train}, {{"train", 1}});
  std::ifstream in(dir.path() / "20261125_120000.log.json");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);  // meta, iter 2, iter 4
  EXPECT_EQ(lines[0], "{\"seed\": 7}");
  Value second = from_json(lines[2]);
  const Dict& d = second.as_dict();
  std::vector<std::string> keys;
  for (const auto& item : d.items()) keys.push_back(item.first.as_str());
  EXPECT_EQ(keys, (std::vector<std::string>{"mode", "epoch", "iter", "lr", "data_time", "loss_mse",
                                            "loss", "time"}));
  EXPECT_EQ(d.at("mode").as_str(), "train");
  EXPECT_EQ(d.at("iter").as_int(), 4);
  EXPECT_DOUBLE_EQ(d.at("lr").as_float(), 0.01);
}

TEST(Runner, BadConfigurationsAreClearErrors) {
  EXPECT_NE(test::error_of([] {
              ToyRun s("dict(type='EpochBasedRunner', max_epochs=2, max_iters=3)");
            }).find("Only one of `max_epochs` or `max_iters`"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { ToyRun s("dict(type='EpochBasedRunner')"); }).find("max_epochs"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              ToyRun s("dict(type='EpochRunner', max_epochs=1)");
            }).find("not in the RUNNERS registry"),
            std::string::npos);
  Value wf =
      load_config_text("workflow = [('train', 1), ('test', 1)]\n", "/tmp/w.py").at("workflow");
  EXPECT_NE(test::error_of([&] { read_workflow(wf); }).find("no method named \"test\""),
            std::string::npos);
  ToyRun s("dict(type='EpochBasedRunner', max_epochs=1)");
  test::ToyLoader train(2, 2);
  EXPECT_NE(test::error_of([&] {
              s.runner->run({&train}, {{"train", 1}, {"val", 1}});
            }).find("2 phases but 1 data loaders"),
            std::string::npos);
}

TEST(Runner, ResumeRefusesAForeignOrMismatchedCheckpoint) {
  test::TempDir dir;
  auto path = (dir.path() / "weights.pth").string();
  checkpoint::StateDict sd;
  sd.insert("fc.weight", torch::zeros({3, 4}));
  checkpoint::save_checkpoint(path, sd);
  ToyRun s("dict(type='EpochBasedRunner', max_epochs=1)");
  std::string error = test::error_of([&] { s.runner->resume(path); });
  EXPECT_NE(error.find("size mismatch for fc.weight"), std::string::npos) << error;
}

}  // namespace
}  // namespace tubelet::runner_test
