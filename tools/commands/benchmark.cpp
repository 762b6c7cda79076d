// tubelet benchmark CONFIG [--iters N] [--warmup W] [--cfg-options ...]
// How fast the config trains here: clips/s of the training data loader alone, and
// iterations/s (and clips/s) of full training steps (data, forward, backward, step).
#include <chrono>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tubelet/apis/train.h"
#include "tubelet/config/config.h"
#include "tubelet/data/dataset_loader.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/trainable.h"
#include "tubelet/optim/optimizer_constructor.h"
#include "tubelet/plugin.h"

namespace tubelet::cli {

namespace {

struct BenchmarkOptions {
  std::string config;
  int64_t iters = 20;
  int64_t warmup = 3;
  std::vector<std::string> cfg_options;
};

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The next batch, starting a new pass when the loader runs dry.
Batch next_batch(DatasetLoader& loader, int64_t& epoch) {
  if (auto batch = loader.next()) return std::move(*batch);
  loader.set_epoch(++epoch);
  loader.start();
  auto batch = loader.next();
  if (!batch) throw std::runtime_error("the training loader gives no batch");
  return std::move(*batch);
}

void benchmark(const BenchmarkOptions& o) {
  if (o.iters <= 0 || o.warmup < 0)
    throw std::invalid_argument("--iters must be > 0, --warmup >= 0");
  Dict cfg = load_config_for_command(o.config, o.cfg_options);
  const Dict& data = data_block(cfg);
  DataLoaderOptions lo = dataloader_options(data, "train");
  auto dataset = build_dataset(data, "train", false);

  int64_t epoch = 0, clips = 0;
  {
    DatasetLoader loader(dataset, lo);
    loader.start();
    for (int64_t i = 0; i < o.warmup; ++i) next_batch(loader, epoch);
    auto start = Clock::now();
    for (int64_t i = 0; i < o.iters; ++i) clips += next_batch(loader, epoch).size();
    double s = seconds_since(start);
    std::printf("data loader: %.2f clips/s (%lld batches of %lld, %lld workers)\n", clips / s,
                static_cast<long long>(o.iters), static_cast<long long>(lo.videos_per_gpu),
                static_cast<long long>(lo.workers_per_gpu));
  }

  auto model = build_model(cfg.at("model"), "model");
  auto* trainable = dynamic_cast<Trainable*>(model.get());
  if (!trainable) throw std::invalid_argument("the model cannot be trained (no train_step)");
  auto optimizer = build_optimizer(*model, cfg.at("optimizer"));
  model->train();
  DatasetLoader loader(dataset, lo);
  loader.start();
  auto step = [&] {
    Batch batch = next_batch(loader, epoch);
    StepOutputs out = trainable->train_step(batch);
    optimizer->zero_grad();
    out.loss.backward();
    optimizer->step();
    return batch.size();
  };
  for (int64_t i = 0; i < o.warmup; ++i) step();
  clips = 0;
  auto start = Clock::now();
  for (int64_t i = 0; i < o.iters; ++i) clips += step();
  double s = seconds_since(start);
  std::printf("training: %.3f iters/s, %.2f clips/s (%.3f s/iter over %lld iterations)\n",
              o.iters / s, clips / s, s / o.iters, static_cast<long long>(o.iters));
}

}  // namespace

void add_benchmark(CLI::App& app) {
  auto o = std::make_shared<BenchmarkOptions>();
  CLI::App* cmd = app.add_subcommand(
      "benchmark", "Clips/s of the training data loader and iterations/s of training steps");
  cmd->add_option("config", o->config, "Config file")->required();
  cmd->add_option("--iters", o->iters, "Timed iterations (default 20)");
  cmd->add_option("--warmup", o->warmup, "Untimed iterations first (default 3)");
  cmd->add_option("--cfg-options", o->cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->callback([o] { benchmark(*o); });
}

}  // namespace tubelet::cli
