// PreciseBNHook / update_bn_stats against MMAction2 0.24.1's update_bn_stats run by Python's
// PyTorch on the same model and batches (tests/fixtures/precise_bn, made by
// tools/fixtures/make_precise_bn_fixtures.py), its error cases, the average over two ranks,
// the hook in a runner, and `precise_bn = dict(...)` through tubelet's train().
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/paths.h"
#include "tubelet/apis/train.h"
#include "tubelet/config/config.h"
#include "tubelet/data/dataset.h"
#include "tubelet/engine/hooks/precise_bn_hook.h"
#include "tubelet/engine/runner.h"

namespace tubelet::precise_bn_hook_test {
namespace {

using nlohmann::json;

const json& fixture() {
  static const json all = json::parse(
      test::read_text(test::source_dir() / "tests/fixtures/precise_bn/precise_bn.json"));
  return all;
}

// The fixture generator's BnNet: batch norms with momentum 0.3, None and 0.1, and one that
// train() keeps in eval mode (as a backbone's norm_eval).
class BnNet : public torch::nn::Module, public Trainable {
 public:
  BnNet() {
    using namespace torch::nn;
    bn_in = register_module("bn_in", BatchNorm2d(BatchNormOptions(3).momentum(0.3)));
    bn_frozen = register_module("bn_frozen", BatchNorm2d(3));
    conv = register_module("conv", Conv2d(Conv2dOptions(3, 2, 1)));
    bn_mid = register_module("bn_mid", BatchNorm2d(BatchNormOptions(2).momentum(c10::nullopt)));
    bn_out = register_module("bn_out", BatchNorm1d(2));
    load(fixture()["initial"]);
  }
  void train(bool on = true) override {
    torch::nn::Module::train(on);
    bn_frozen->eval();
  }
  torch::Tensor forward(const torch::Tensor& imgs) {
    torch::Tensor x = bn_in(imgs) + bn_frozen(imgs);
    x = bn_mid(torch::relu(conv(x)));
    return bn_out(x.mean({2, 3}));
  }
  StepOutputs train_step(const Batch& batch) override {
    return parse_losses({{"loss", forward(batch.at("imgs")).pow(2).mean()}}, batch.size());
  }
  StepOutputs val_step(const Batch& batch) override { return train_step(batch); }
  torch::Tensor test_step(const Batch& batch) override { return forward(batch.at("imgs")); }

  void load(const json& state) {
    torch::NoGradGuard no_grad;
    for (auto& item : named_parameters()) copy(item.key(), item.value(), state);
    for (auto& item : named_buffers()) copy(item.key(), item.value(), state);
  }
  // Largest difference from `state` over every tensor.
  double max_diff(const json& state) {
    double worst = 0;
    for (const auto& [name, values] : state.items()) {
      torch::Tensor mine = find(name).to(torch::kDouble).flatten();
      torch::Tensor theirs = torch::tensor(values.get<std::vector<double>>(), torch::kDouble);
      EXPECT_EQ(mine.numel(), theirs.numel()) << name;
      worst = std::max(worst, (mine - theirs).abs().max().item<double>());
    }
    return worst;
  }
  // The same over the running statistics only.
  double max_running_diff(const json& state) {
    json running;
    for (const auto& [name, values] : state.items())
      if (name.find(".running_") != std::string::npos) running[name] = values;
    return max_diff(running);
  }
  torch::Tensor find(const std::string& name) {
    if (auto* p = named_parameters().find(name)) return *p;
    if (auto* b = named_buffers().find(name)) return *b;
    throw std::runtime_error("BnNet has no " + name);
  }

  torch::nn::BatchNorm2d bn_in{nullptr}, bn_frozen{nullptr}, bn_mid{nullptr};
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm1d bn_out{nullptr};

 private:
  static void copy(const std::string& name, torch::Tensor& t, const json& state) {
    std::vector<double> v = state.at(name).get<std::vector<double>>();
    t.copy_(torch::tensor(v, torch::kDouble).reshape(t.sizes()).to(t.scalar_type()));
  }
};

// The fixture's batches `indices`, in that order; `claimed` batches reported as its size.
class BatchList : public DataLoader {
 public:
  explicit BatchList(std::vector<int> indices, int64_t claimed = -1) : claimed_(claimed) {
    const json& f = fixture();
    for (int i : indices) {
      Batch b;
      b.tensors = {{"imgs", torch::tensor(f["batches"][i].get<std::vector<float>>())
                                .reshape(f["batch_shape"].get<std::vector<int64_t>>())}};
      batches_.push_back(b);
    }
  }
  int64_t size() const override {
    return claimed_ >= 0 ? claimed_ : static_cast<int64_t>(batches_.size());
  }
  void start() override {
    next_ = 0;
    ++starts;
  }
  std::optional<Batch> next() override {
    if (next_ >= batches_.size()) return std::nullopt;
    return batches_[next_++];
  }
  int starts = 0;

 private:
  std::vector<Batch> batches_;
  size_t next_ = 0;
  int64_t claimed_;
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(PreciseBN, MatchesMmaction2sUpdateBnStats) {
  BnNet model;
  model.eval();  // update_bn_stats puts the model in training mode itself
  BatchList loader({0, 1, 2, 3, 4});
  std::vector<torch::nn::Module*> updated = update_bn_stats(model, loader, 4);
  EXPECT_EQ(updated.size(), 3u);  // bn_in, bn_mid, bn_out; not bn_frozen
  const double diff = model.max_diff(fixture()["single"]["state"]);
  EXPECT_LT(diff, 1e-6);
  std::cout << "[ precise_bn ] max |state - MMAction2| " << diff << "\n";
  // Momentum back as it was (None stays None), frozen batch norm untouched and in eval mode.
  EXPECT_EQ(model.bn_in->options.momentum(), c10::optional<double>(0.3));
  EXPECT_FALSE(model.bn_mid->options.momentum().has_value());
  EXPECT_EQ(model.bn_out->options.momentum(), c10::optional<double>(0.1));
  EXPECT_TRUE(model.is_training());
  EXPECT_FALSE(model.bn_frozen->is_training());
  EXPECT_EQ(model.bn_in->num_batches_tracked.item<int64_t>(), 3 + 4);
}

TEST(PreciseBN, StatisticsAreTheMeanOfTheBatchStatistics) {
  // By hand for the first layer: the mean over batches of each batch's per-channel mean and
  // unbiased variance.
  BnNet model;
  BatchList loader({0, 1, 2});
  update_bn_stats(model, loader, 3);
  torch::Tensor means = torch::zeros({3}), vars = torch::zeros({3});
  loader.start();
  while (auto b = loader.next()) {
    torch::Tensor x = b->at("imgs").transpose(0, 1).reshape({3, -1});
    means += x.mean(1) / 3;
    vars += x.var(1, /*unbiased=*/true) / 3;
  }
  EXPECT_TRUE(torch::allclose(model.bn_in->running_mean, means, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(model.bn_in->running_var, vars, 1e-5, 1e-6));
}

TEST(PreciseBN, NumItersLargerThanTheLoaderIsAnError) {
  BnNet model;
  BatchList loader({0, 1, 2});
  std::string e = error_of([&] { update_bn_stats(model, loader, 4); });
  EXPECT_NE(e.find("length of dataloader 3 must be greater than iteration number 4"),
            std::string::npos)
      << e;
  EXPECT_EQ(loader.starts, 0);
  EXPECT_LT(model.max_diff(fixture()["initial"]), 1e-12) << "nothing may change";

  BatchList liar({0, 1}, /*claimed=*/5);
  e = error_of([&] { update_bn_stats(model, liar, 4); });
  EXPECT_NE(e.find("stopped before iteration 4"), std::string::npos) << e;
  EXPECT_EQ(model.bn_in->options.momentum(), c10::optional<double>(0.3)) << "momentum restored";
}

TEST(PreciseBN, NoBatchNormInTrainingModeChangesNothing) {
  // Every batch norm kept in eval mode by the model's train(): nothing to update.
  struct EvalOnly : BnNet {
    void train(bool on = true) override {
      BnNet::train(on);
      bn_in->eval();
      bn_mid->eval();
      bn_out->eval();
    }
  } frozen;
  BatchList loader({0, 1});
  EXPECT_TRUE(update_bn_stats(frozen, loader, 2).empty());
  EXPECT_LT(frozen.max_diff(fixture()["initial"]), 1e-12);
}

// Two ranks each on their own batches: each keeps its own statistics, MMAction2's per-rank
// result (it does not average them across ranks).
TEST(PreciseBN, EachRankKeepsItsOwnStatistics) {
  const json& two = fixture()["two_ranks"];
  for (int rank = 0; rank < 2; ++rank) {
    BnNet model;
    BatchList loader(two["batches"][rank].get<std::vector<int>>());
    update_bn_stats(model, loader, two["num_iters"].get<int64_t>());
    EXPECT_LT(model.max_diff(two["rank_states"][rank]), 1e-6) << "rank " << rank;
  }
}

class NothingHook : public Hook {
 public:
  std::string type() const override { return "NothingHook"; }
};

TEST(PreciseBN, HookRunsAfterEveryIntervalTrainEpochsAtHighestPriority) {
  for (int64_t interval : {1, 2}) {
    auto model = std::make_shared<BnNet>();
    auto optimizer =
        std::make_shared<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(0.01));
    RunnerParts parts;
    parts.model = model;
    parts.optimizer = optimizer;
    parts.logger = std::make_shared<Logger>("mmaction", false);
    auto runner = RUNNERS().build(
        load_config_text("r = dict(type='EpochBasedRunner', max_epochs=2)\n", "/tmp/r.py").at("r"),
        {"runner"}, parts);
    auto hook = std::dynamic_pointer_cast<PreciseBNHook>(
        HOOKS().build(load_config_text("h = dict(type='PreciseBNHook', num_iters=4, interval=" +
                                           std::to_string(interval) + ")\n",
                                       "/tmp/h.py")
                          .at("h"),
                      {"precise_bn"}));
    ASSERT_TRUE(hook);
    EXPECT_EQ(hook->options().num_iters, 4);
    EXPECT_THROW(hook->before_run(*runner), std::runtime_error) << "no loader yet";
    hook->set_data_loader(std::make_shared<BatchList>(std::vector<int>{0, 1, 2, 3, 4}));
    runner->register_hook(std::make_shared<NothingHook>(), Value("VERY_HIGH"));
    runner->register_hook(hook, Value("HIGHEST"));
    ASSERT_EQ(runner->hooks().front().hook, hook);

    BatchList train({1, 3});
    runner->run({&train}, {{"train", 1}});
    // No optimizer hook: the weights never change, so the last precise pass leaves MMAction2's
    // statistics for the initial weights. num_batches_tracked counts every forward in
    // training mode: 3 initially, 2 epochs x 2 train batches, 4 per precise pass.
    EXPECT_LT(model->max_running_diff(fixture()["single"]["state"]), 1e-6) << interval;
    const int64_t passes = interval == 1 ? 2 : 1;
    EXPECT_EQ(model->bn_in->num_batches_tracked.item<int64_t>(), 3 + 4 + 4 * passes) << interval;
  }
}

TEST(PreciseBN, HookConfigErrors) {
  auto build = [](const std::string& text) {
    return error_of([&] {
      HOOKS().build(load_config_text("h = " + text + "\n", "/tmp/h.py").at("h"), {"precise_bn"});
    });
  };
  EXPECT_NE(build("dict(type='PreciseBNHook', num_iter=3)").find("unexpected argument 'num_iter'"),
            std::string::npos);
  EXPECT_NE(build("dict(type='PreciseBNHook', num_iters=0)").find("num_iters must be at least 1"),
            std::string::npos);
  PreciseBNHook short_loader(std::make_shared<BatchList>(std::vector<int>{0}), PreciseBNOptions{});
  auto model = std::make_shared<BnNet>();
  RunnerParts parts;
  parts.model = model;
  parts.logger = std::make_shared<Logger>("mmaction", false);
  auto runner = RUNNERS().build(
      load_config_text("r = dict(type='EpochBasedRunner', max_epochs=1)\n", "/tmp/r.py").at("r"),
      {"runner"}, parts);
  std::string e = error_of([&] { short_loader.before_run(*runner); });
  EXPECT_NE(e.find("length of dataloader 1 must be greater than iteration number 200"),
            std::string::npos)
      << e;
}

}  // namespace
}  // namespace tubelet::precise_bn_hook_test
