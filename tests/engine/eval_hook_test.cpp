// EvalHook (MMAction2's, on mmcv 1.7.0's) with a toy model and a dataset whose evaluate()
// returns a scripted metric sequence: when it evaluates (interval, start, by iteration),
// which best checkpoint it keeps (rules greater and less, inferred or given), hook_msgs,
// the 'val' entries in the .log.json; single_gpu_test and the progress bar.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/paths.h"
#include "toy_training.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/device_loader.h"
#include "tubelet/engine/hooks/eval_hook.h"
#include "tubelet/engine/runner.h"
#include "tubelet/engine/single_gpu_test.h"
#include "tubelet/progress_bar.h"

namespace tubelet::eval_hook_test {
namespace {

// ToyModel answering test_step with fc(x); records the modes it was called in.
class TestableToy : public test::ToyModel {
 public:
  torch::Tensor test_step(const Batch& batch) override {
    calls_in_train_mode += is_training();
    calls_with_grad += torch::GradMode::is_enabled();
    return fc(batch.at("imgs"));
  }
  int calls_in_train_mode = 0;
  int calls_with_grad = 0;
};

// Samples x_i = (i, 0, 0, 0); evaluate() hands out the next row of `script` under `names`.
class ScriptedDataset : public Dataset {
 public:
  ScriptedDataset(int64_t n, std::vector<std::string> names,
                  std::vector<std::vector<double>> script)
      : n_(n), names_(std::move(names)), script_(std::move(script)) {
    for (int64_t i = 0; i < n; ++i) {
      Dict info;
      info.set("label", Value(i % 2));
      infos_.push_back(info);
    }
  }
  int64_t size() const override { return n_; }
  Sample get(int64_t index, uint64_t) const override {
    Sample s;
    s.info = infos_.at(index);
    s.set_tensor("imgs", torch::tensor({static_cast<float>(index), 0.f, 0.f, 0.f}));
    return s;
  }
  const Dict& info(int64_t index) const override { return infos_.at(index); }
  Dict evaluate(const torch::Tensor& results, const std::vector<std::string>& metrics,
                const Dict& metric_options) const override {
    shapes.push_back(results.sizes().vec());
    last_metrics = metrics;
    last_options = metric_options;
    const auto& row = script_.at(calls++);
    Dict out;
    for (size_t i = 0; i < names_.size(); ++i) out.set(names_[i], Value(row[i]));
    return out;
  }
  mutable int calls = 0;
  mutable std::vector<std::vector<int64_t>> shapes;
  mutable std::vector<std::string> last_metrics;
  mutable Dict last_options;

 private:
  int64_t n_;
  std::vector<std::string> names_;
  std::vector<std::vector<double>> script_;
  std::vector<Dict> infos_;
};

Value py(const std::string& expr) {
  return load_config_text("x = " + expr + "\n", "/tmp/eval_hook_test.py").at("x");
}

std::shared_ptr<DatasetLoader> val_loader(std::shared_ptr<ScriptedDataset> dataset) {
  DataLoaderOptions o;
  o.videos_per_gpu = 3;
  o.workers_per_gpu = 0;
  o.shuffle = false;
  return std::make_shared<DatasetLoader>(dataset, o);
}

struct EvalRun {
  EvalRun(const std::string& evaluation, std::vector<std::string> names,
          std::vector<std::vector<double>> script, const std::string& runner = "EpochBasedRunner",
          int64_t length = 5) {
    model = std::make_shared<TestableToy>();
    auto optimizer =
        std::make_shared<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(0.01));
    RunnerParts parts;
    parts.model = model;
    parts.optimizer = optimizer;
    parts.work_dir = dir.path();
    parts.logger = std::make_shared<Logger>("mmaction", false);
    const std::string length_key = runner == "EpochBasedRunner" ? "max_epochs" : "max_iters";
    this->runner = RUNNERS().build(
        py("dict(type='" + runner + "', " + length_key + "=" + std::to_string(length) + ")"),
        {"runner"}, parts);
    dataset = std::make_shared<ScriptedDataset>(5, std::move(names), std::move(script));
    // In train_model's order: the training hooks, then the eval hook (LOW, after the timer).
    this->runner->register_hook_from_cfg(py("dict(type='IterTimerHook', priority='LOW')"), "timer");
    this->runner->register_hook_from_cfg(
        py("dict(type='TextLoggerHook', priority='VERY_LOW', interval=1, by_epoch=" +
           std::string(runner == "EpochBasedRunner" ? "True" : "False") + ")"),
        "log_config");
    hook = build_eval_hook(py(evaluation), val_loader(dataset));
    this->runner->register_hook(hook, Value("LOW"));
  }
  void run() {
    test::ToyLoader train(8, 4);         // 2 iterations per epoch
    testing::internal::CaptureStderr();  // the progress bars
    runner->run({&train}, {{"train", 1}});
    progress = testing::internal::GetCapturedStderr();
  }
  std::vector<std::string> files_named(const std::string& prefix) const {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
      if (entry.path().filename().string().rfind(prefix, 0) == 0)
        out.push_back(entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<Dict> val_entries() const {
    std::vector<Dict> out;
    std::ifstream in(dir.path() / "run.log.json");
    for (std::string line; std::getline(in, line);) {
      Dict d = from_json(line).as_dict();
      if (d.contains("mode") && d.at("mode").as_str() == "val") out.push_back(d);
    }
    return out;
  }
  Dict hook_msgs() const { return runner->meta().at("hook_msgs").as_dict(); }

  test::TempDir dir;
  std::shared_ptr<TestableToy> model;
  std::shared_ptr<Runner> runner;
  std::shared_ptr<ScriptedDataset> dataset;
  std::shared_ptr<EvalHook> hook;
  std::string progress;
};

TEST(EvalHookTest, AutoKeepsTheBestEpochOfTheFirstMetricOnly) {
  EvalRun run("dict(interval=1, metrics=['top_k_accuracy', 'mean_class_accuracy'])",
              {"top1_acc", "mean_class_accuracy"},
              {{0.2, 0.9}, {0.5, 0.1}, {0.4, 0.1}, {0.7, 0.1}, {0.6, 0.1}});
  run.run();
  EXPECT_EQ(run.dataset->calls, 5);
  EXPECT_EQ(run.hook->key_indicator(), "top1_acc");
  EXPECT_EQ(run.hook->rule(), "greater");
  EXPECT_EQ(run.files_named("best_"), std::vector<std::string>{"best_top1_acc_epoch_4.pth"});
  EXPECT_DOUBLE_EQ(run.hook_msgs().at("best_score").as_float(), 0.7);
  EXPECT_EQ(run.hook_msgs().at("best_ckpt").as_str(),
            (run.dir.path() / "best_top1_acc_epoch_4.pth").string());
  // The best checkpoint carries its own score, as mmcv updates hook_msgs before saving.
  const checkpoint::Checkpoint best =
      checkpoint::load_checkpoint((run.dir.path() / "best_top1_acc_epoch_4.pth").string());
  const Dict& msgs = best.meta.as_dict().at("hook_msgs").as_dict();
  EXPECT_DOUBLE_EQ(msgs.at("best_score").as_float(), 0.7);
  EXPECT_EQ(best.meta.as_dict().at("epoch").as_int(), 4);
  EXPECT_EQ(run.dataset->last_metrics,
            (std::vector<std::string>{"top_k_accuracy", "mean_class_accuracy"}));
  // Every row of the val set, in order, one column per class of the toy model.
  for (const auto& shape : run.dataset->shapes) EXPECT_EQ(shape, (std::vector<int64_t>{5, 2}));
  EXPECT_EQ(run.model->calls_in_train_mode, 0);
  EXPECT_EQ(run.model->calls_with_grad, 0);
  EXPECT_NE(run.progress.find("5/5"), std::string::npos) << run.progress;
}

TEST(EvalHookTest, ValEntriesInTheJsonLogHoldTheResultsOnly) {
  EvalRun run("dict(interval=1)", {"top1_acc", "top5_acc"},
              {{0.2, 1.0}, {0.5, 1.0}, {0.4, 1.0}, {0.7, 1.0}, {0.6, 1.0}});
  run.run();
  const std::vector<Dict> entries = run.val_entries();
  ASSERT_EQ(entries.size(), 5u);
  const double expected[] = {0.2, 0.5, 0.4, 0.7, 0.6};
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].at("epoch").as_int(), static_cast<int64_t>(i) + 1);
    EXPECT_DOUBLE_EQ(entries[i].at("top1_acc").as_float(), expected[i]);
    EXPECT_DOUBLE_EQ(entries[i].at("top5_acc").as_float(), 1.0);
    // The epoch's training values stay in the train entries.
    EXPECT_FALSE(entries[i].contains("loss")) << to_json(Value(entries[i]), -1);
    EXPECT_FALSE(entries[i].contains("time"));
  }
}

TEST(EvalHookTest, TensorboardGetsTheValTags) {
  EvalRun run("dict(interval=1)", {"top1_acc"}, {{0.2}, {0.5}, {0.4}, {0.7}, {0.6}});
  run.runner->register_hook_from_cfg(
      py("dict(type='TensorboardLoggerHook', interval=1, priority='VERY_LOW')"), "log_config");
  run.run();
  std::string bytes;
  for (const auto& entry : std::filesystem::directory_iterator(run.dir.path() / "tf_logs"))
    bytes += test::read_text(entry.path());
  size_t count = 0;
  for (size_t at = bytes.find("val/top1_acc"); at != std::string::npos;
       at = bytes.find("val/top1_acc", at + 1))
    ++count;
  EXPECT_EQ(count, 5u);
  EXPECT_EQ(bytes.find("eval_iter_num"), std::string::npos);
  EXPECT_NE(bytes.find("train/loss"), std::string::npos);
}

TEST(EvalHookTest, LessRuleInferredFromLossAndGivenRuleWins) {
  const std::vector<std::vector<double>> script = {{0.9}, {0.3}, {0.7}, {0.5}, {0.4}};
  EvalRun less("dict(save_best='val_loss')", {"val_loss"}, script);
  less.run();
  EXPECT_EQ(less.hook->rule(), "less");
  EXPECT_EQ(less.files_named("best_"), std::vector<std::string>{"best_val_loss_epoch_2.pth"});
  EXPECT_DOUBLE_EQ(less.hook_msgs().at("best_score").as_float(), 0.3);

  EvalRun greater("dict(save_best='top1_acc')", {"top1_acc"}, script);
  greater.run();
  EXPECT_EQ(greater.files_named("best_"), std::vector<std::string>{"best_top1_acc_epoch_1.pth"});

  EvalRun given("dict(save_best='top1_acc', rule='less')", {"top1_acc"}, script);
  given.run();
  EXPECT_EQ(given.files_named("best_"), std::vector<std::string>{"best_top1_acc_epoch_2.pth"});
}

TEST(EvalHookTest, IntervalAndStart) {
  EvalRun every_two("dict(interval=2)", {"top1_acc"}, {{0.3}, {0.1}});
  every_two.run();
  EXPECT_EQ(every_two.dataset->calls, 2);  // after epochs 2 and 4
  EXPECT_EQ(every_two.files_named("best_"), std::vector<std::string>{"best_top1_acc_epoch_2.pth"});

  EvalRun from_three("dict(interval=2, start=3)", {"top1_acc"}, {{0.3}, {0.4}});
  from_three.run();
  EXPECT_EQ(from_three.dataset->calls, 2);  // after epochs 3 and 5
  EXPECT_EQ(from_three.files_named("best_"), std::vector<std::string>{"best_top1_acc_epoch_5.pth"});

  // start=0 also evaluates before the first epoch.
  EvalRun from_zero("dict(start=0, save_best=None)", {"top1_acc"},
                    {{0.1}, {0.2}, {0.3}, {0.4}, {0.5}, {0.6}});
  from_zero.run();
  EXPECT_EQ(from_zero.dataset->calls, 6);
  EXPECT_TRUE(from_zero.files_named("best_").empty());
  EXPECT_FALSE(from_zero.runner->meta().contains("hook_msgs"));
}

TEST(EvalHookTest, ByIterationNamesTheIteration) {
  // Two iterations per epoch, evaluated every third iteration: iterations 3 and 6.
  EvalRun run("dict(interval=3, by_epoch=False)", {"top1_acc"}, {{0.5}, {0.8}}, "EpochBasedRunner",
              3);
  run.run();
  EXPECT_EQ(run.dataset->calls, 2);
  EXPECT_EQ(run.files_named("best_"), std::vector<std::string>{"best_top1_acc_iter_6.pth"});
  EXPECT_EQ(run.val_entries().size(), 2u);

  EvalRun iter_runner("dict(interval=2, by_epoch=False)", {"top1_acc"}, {{0.9}, {0.2}},
                      "IterBasedRunner", 4);
  iter_runner.run();
  EXPECT_EQ(iter_runner.files_named("best_"), std::vector<std::string>{"best_top1_acc_iter_2.pth"});
}

TEST(EvalHookTest, ZeroScoreKeepsNoCheckpointAsMmcv) {
  EvalRun run("dict(interval=1)", {"top1_acc"}, {{0.0}, {0.0}, {0.0}, {0.0}, {0.0}});
  run.run();
  EXPECT_TRUE(run.files_named("best_").empty());
}

TEST(EvalHookTest, ReadsTheEvaluationDict) {
  EvalHookOptions o = read_eval_hook_options(
      py("dict(interval=5, metrics='top_k_accuracy', topk=(1, 3), gpu_collect=False)"));
  EXPECT_EQ(o.interval, 5);
  EXPECT_EQ(o.metrics, std::vector<std::string>{"top_k_accuracy"});
  EXPECT_EQ(o.save_best, std::optional<std::string>("auto"));
  EXPECT_EQ(repr(Value(o.metric_options)), "{'top_k_accuracy': {'topk': (1, 3)}}");

  o = read_eval_hook_options(py("dict(metric_options=dict(top_k_accuracy=dict(topk=(1, 5, 10))))"));
  EXPECT_EQ(repr(Value(o.metric_options)), "{'top_k_accuracy': {'topk': (1, 5, 10)}}");
  EXPECT_TRUE(o.metrics.empty());

  EXPECT_NE(test::error_of([] { read_eval_hook_options(py("dict(intervl=5)")); }).find("intervl"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              read_eval_hook_options(py("dict(key_indicator='top1_acc')"));
            }).find("save_best"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { read_eval_hook_options(py("dict(interval=0)")); }).find("positive"),
            std::string::npos);
  EXPECT_NE(
      test::error_of([] { read_eval_hook_options(py("dict(rule='bigger')")); }).find("bigger"),
      std::string::npos);
  auto dataset = std::make_shared<ScriptedDataset>(2, std::vector<std::string>{},
                                                   std::vector<std::vector<double>>{});
  EXPECT_NE(test::error_of([&] {
              build_eval_hook(py("dict(save_best='speed')"), val_loader(dataset));
            }).find("cannot infer the rule for key speed"),
            std::string::npos);
}

TEST(SingleGpuTestTest, RowsInOrderModeRestoredAndProgress) {
  auto model = std::make_shared<TestableToy>();
  model->train();
  auto dataset = std::make_shared<ScriptedDataset>(7, std::vector<std::string>{},
                                                   std::vector<std::vector<double>>{});
  auto loader = val_loader(dataset);
  std::ostringstream progress;
  SingleGpuTestOptions o;
  o.progress_stream = &progress;
  torch::Tensor rows = single_gpu_test(*model, *model, *loader, o);
  ASSERT_EQ(rows.sizes(), (std::vector<int64_t>{7, 2}));
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::zeros({7, 4});
  x.select(1, 0).copy_(torch::arange(7));
  EXPECT_TRUE(torch::allclose(rows, model->fc(x)));
  EXPECT_TRUE(model->is_training());
  EXPECT_EQ(model->calls_in_train_mode, 0);
  // Batches of 3, 3 and 1 videos.
  const std::string text = progress.str();
  EXPECT_EQ(text.rfind("[" + std::string(50, ' ') + "] 0/7, elapsed: 0s, ETA:", 0), 0u) << text;
  EXPECT_NE(text.find("] 3/7,"), std::string::npos) << text;
  EXPECT_NE(text.find("] 6/7,"), std::string::npos) << text;
  EXPECT_NE(text.find("] 7/7,"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

// One rank of a distributed test counts its own share of the set (7 videos over 3 ranks:
// 3 each, padded), also through the DeviceLoader a training run wraps its loader in.
TEST(SingleGpuTestTest, ProgressCountsThisRanksShare) {
  auto model = std::make_shared<TestableToy>();
  auto dataset = std::make_shared<ScriptedDataset>(7, std::vector<std::string>{},
                                                   std::vector<std::vector<double>>{});
  DataLoaderOptions lo;
  lo.workers_per_gpu = 0;
  lo.shuffle = false;
  lo.rank = 2;
  lo.world_size = 3;
  auto loader = std::make_shared<DatasetLoader>(dataset, lo);
  EXPECT_EQ(loader->num_samples(), 3);
  DeviceLoader on_device(loader, torch::kCPU);
  std::ostringstream progress;
  SingleGpuTestOptions o;
  o.progress_stream = &progress;
  EXPECT_EQ(single_gpu_test(*model, *model, on_device, o).size(0), 3);
  EXPECT_NE(progress.str().find("] 3/3,"), std::string::npos) << progress.str();
}

TEST(ProgressBarTest, DrawsMmcvsLine) {
  std::ostringstream out;
  ProgressBarOptions o;
  o.terminal_width = 100;
  o.elapsed = [] { return 2.0; };
  ProgressBar bar(4, out, o);
  EXPECT_EQ(out.str(), "[" + std::string(50, ' ') + "] 0/4, elapsed: 0s, ETA:");
  out.str("");
  bar.update();
  // mmcv: 0.25 of a 50-wide bar (100 columns leave room for 50), 1 task in 2 s, ETA 6 s.
  EXPECT_EQ(out.str(), "\r[" + std::string(12, '>') + std::string(38, ' ') +
                           "] 1/4, 0.5 task/s, elapsed: 2s, ETA:     6s");
  out.str("");
  o.terminal_width = 60;  // the message leaves 60 - 47 + 2 columns
  ProgressBar narrow(4, out, o);
  out.str("");
  narrow.update(4);
  EXPECT_EQ(out.str(),
            "\r[" + std::string(15, '>') + "] 4/4, 2.0 task/s, elapsed: 2s, ETA:     0s");
  out.str("");
  ProgressBar unknown(0, out, o);
  unknown.update(3);
  EXPECT_EQ(out.str(), "completed: 0, elapsed: 0scompleted: 3, elapsed: 2s, 1.5 tasks/s");
}

}  // namespace
}  // namespace tubelet::eval_hook_test
