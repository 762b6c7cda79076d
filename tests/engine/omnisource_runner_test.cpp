// OmniSourceRunner: MMAction2's loop over a main loader with auxiliary ones (steps after main
// iterations that are multiples of train_ratio[0], train_ratio[k] steps of auxiliary k, the
// iteration hooks around every step, runner.iter advanced by main steps only, auxiliary log
// entries suffixed "/auxK", auxiliary loaders cycled), and its configuration errors.
#include <gtest/gtest.h>

#include "support/paths.h"
#include "toy_training.h"
#include "tubelet/config/config.h"
#include "tubelet/engine/runner.h"

namespace tubelet::omnisource_runner_test {
namespace {

// Records each iteration's position and which loader's batch it had (by its size).
class StepRecorder : public Hook {
 public:
  explicit StepRecorder(std::vector<std::string>* log) : log_(log) {}
  std::string type() const override { return "StepRecorder"; }
  void before_train_epoch(Runner& r) override { log_->push_back("epoch " + pos(r)); }
  void before_train_iter(Runner& r) override {
    log_->push_back("iter " + pos(r) + " batch " + std::to_string(r.data_batch()->size()));
  }

 private:
  static std::string pos(Runner& r) {
    return std::to_string(r.epoch()) + "/" + std::to_string(r.iter()) + "/" +
           std::to_string(r.inner_iter());
  }
  std::vector<std::string>* log_;
};

std::shared_ptr<Runner> omnisource_runner(const std::string& args,
                                          std::shared_ptr<test::ToyModel> model) {
  auto optimizer =
      std::make_shared<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(0.05));
  RunnerParts parts{model, optimizer, {}, std::make_shared<Logger>("mmaction", false), Dict{}, ""};
  Value cfg =
      load_config_text("runner = dict(type='OmniSourceRunner', " + args + ")\n", "/tmp/runner.py")
          .at("runner");
  return RUNNERS().build(cfg, {"runner"}, parts);
}

TEST(OmniSourceRunner, AuxiliaryStepsFollowTrainRatio) {
  auto model = std::make_shared<test::ToyModel>();
  auto runner = omnisource_runner("max_epochs=2, train_ratio=[2, 1, 2]", model);
  std::vector<std::string> log;
  runner->register_hook(std::make_shared<StepRecorder>(&log));
  // Main: 3 batches of 3; aux0: 2 batches of 2 (cycled); aux1: one batch of 1.
  test::ToyLoader main(9, 3), aux0(4, 2), aux1(1, 1);
  runner->run({&main, &aux0, &aux1}, {{"train", 1}});
  const std::vector<std::string> expected = {
      "epoch 0/0/0",        "iter 0/0/0 batch 3", "iter 0/0/0 batch 2", "iter 0/0/0 batch 1",
      "iter 0/0/0 batch 1",
      "iter 0/1/1 batch 3",  // 1 % 2 != 0: no auxiliary steps
      "iter 0/2/2 batch 3", "iter 0/2/2 batch 2", "iter 0/2/2 batch 1", "iter 0/2/2 batch 1",
      "epoch 1/3/2",        "iter 1/3/0 batch 3", "iter 1/4/1 batch 3", "iter 1/4/1 batch 2",
      "iter 1/4/1 batch 1", "iter 1/4/1 batch 1", "iter 1/5/2 batch 3"};
  EXPECT_EQ(log, expected);
  EXPECT_EQ(runner->iter(), 6);
  EXPECT_EQ(runner->epoch(), 2);
  EXPECT_EQ(runner->max_iters(), 6);
  // aux1 (one batch) began a new pass for each of its steps; aux0 once per epoch.
  EXPECT_EQ(aux1.starts, 6);
  EXPECT_EQ(aux0.starts, 2);
  EXPECT_EQ(main.starts, 2);
  // Every source's losses are logged under its own names.
  for (const char* name : {"loss_mse", "loss_mse/aux0", "loss_mse/aux1", "loss/aux1"})
    EXPECT_TRUE(runner->log_buffer().has_history(name)) << name;
  EXPECT_FALSE(runner->log_buffer().has_history("loss_mse/aux2"));
}

TEST(OmniSourceRunner, WithoutTrainRatioEveryAuxiliaryStepsOncePerMainStep) {
  auto runner = omnisource_runner("max_epochs=1", std::make_shared<test::ToyModel>());
  std::vector<std::string> log;
  runner->register_hook(std::make_shared<StepRecorder>(&log));
  test::ToyLoader main(4, 2), aux(3, 3);
  runner->run({&main, &aux}, {{"train", 1}});
  const std::vector<std::string> expected = {"epoch 0/0/0", "iter 0/0/0 batch 2",
                                             "iter 0/0/0 batch 3", "iter 0/1/1 batch 2",
                                             "iter 0/1/1 batch 3"};
  EXPECT_EQ(log, expected);
}

TEST(OmniSourceRunner, ConfigurationErrorsSayWhat) {
  auto model = std::make_shared<test::ToyModel>();
  test::ToyLoader main(4, 2), aux(2, 2);
  EXPECT_NE(
      test::error_of([&] {
        omnisource_runner("max_epochs=1", model)->run({&main, &aux}, {{"train", 1}, {"val", 1}});
      }).find("the workflow must be a single ('train', N) phase"),
      std::string::npos);
  EXPECT_NE(test::error_of([&] {
              omnisource_runner("max_epochs=1, train_ratio=[1, 1, 1]", model)
                  ->run({&main, &aux}, {{"train", 1}});
            }).find("data.train_ratio has 3 entries for 2 train datasets"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              omnisource_runner("max_epochs=1, train_ratio=[1, -1]", model);
            }).find("must not be negative"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              omnisource_runner("train_ratio=[1, 1]", model);
            }).find("max_epochs must be specified"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::omnisource_runner_test
