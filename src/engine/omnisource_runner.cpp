// MMAction2's OmniSourceRunner: training on a main source and auxiliary ones (web images,
// Instagram videos, untrimmed raw videos). An epoch is one pass over the main loader; after
// main iterations whose count is a multiple of train_ratio[0], each auxiliary loader k takes
// train_ratio[k] steps, cycling through its data. Auxiliary steps call the iteration hooks
// (LR updates, optimizer steps, logs) but do not advance runner.iter, and their log entries
// carry "/aux0", "/aux1", ... after their names. There is no val phase.
#include <torch/types.h>
#include <algorithm>

#include "epoch_based_runner.h"
#include "tubelet/args.h"

namespace tubelet {

namespace {

class OmniSourceRunner : public EpochBasedRunner {
 public:
  OmniSourceRunner(RunnerParts parts, int64_t max_epochs, std::vector<int64_t> train_ratio)
      : EpochBasedRunner(std::move(parts), max_epochs), train_ratio_(std::move(train_ratio)) {}

  void run(const std::vector<DataLoader*>& loaders, const Workflow& workflow) override {
    if (workflow.size() != 1 || workflow[0].first != "train")
      throw std::invalid_argument(
          "OmniSourceRunner: the workflow must be a single ('train', N) phase (it has no val "
          "epochs; validate with --validate)");
    if (loaders.empty() || std::find(loaders.begin(), loaders.end(), nullptr) != loaders.end())
      throw std::invalid_argument("OmniSourceRunner: a train loader is missing");
    if (!train_ratio_.empty() && train_ratio_.size() != loaders.size())
      throw std::invalid_argument("OmniSourceRunner: data.train_ratio has " +
                                  std::to_string(train_ratio_.size()) + " entries for " +
                                  std::to_string(loaders.size()) + " train datasets");
    max_iters_ = *max_epochs_ * loaders[0]->size();
    log_start(workflow, std::to_string(*max_epochs_) + " epochs");
    call_hook(&Hook::before_run);
    while (epoch_ < *max_epochs_)
      for (int64_t e = 0; e < workflow[0].second && epoch_ < *max_epochs_; ++e)
        train_epoch(loaders);
    call_hook(&Hook::after_run);
  }

 private:
  // The next batch of auxiliary loader k, starting a new pass when one ends (MMAction2
  // cycles over the loader). Each pass of an auxiliary loader, over the whole run, has its own
  // number as the sampler's epoch, so every pass is shuffled anew and alike on every rank.
  Batch next_auxiliary(DataLoader& loader, size_t k) {
    if (started_[k])
      if (std::optional<Batch> batch = loader.next()) return std::move(*batch);
    started_[k] = true;
    loader.set_epoch(passes_[k]++);
    loader.start();
    std::optional<Batch> batch = loader.next();
    if (!batch) throw std::invalid_argument("OmniSourceRunner: an auxiliary dataset is empty");
    return std::move(*batch);
  }

  void step(const Batch& batch, const std::string& source) {
    data_batch_ = &batch;
    call_hook(&Hook::before_train_iter);
    run_iter(batch, true, source);
    call_hook(&Hook::after_train_iter);
    data_batch_ = nullptr;
  }

  void train_epoch(const std::vector<DataLoader*>& loaders) {
    model_->train();
    mode_ = "train";
    DataLoader& main = *loaders[0];
    data_loader_ = &main;
    // As MMAction2, every auxiliary source takes one step per main step by default.
    const int64_t main_steps = train_ratio_.empty() ? 1 : train_ratio_[0];
    max_iters_ = *max_epochs_ * main.size();
    started_.assign(loaders.size(), false);  // MMAction2 cycles anew each epoch
    passes_.resize(loaders.size(), 0);
    call_hook(&Hook::before_train_epoch);
    main.set_epoch(epoch_);
    main.start();
    for (int64_t i = 0; std::optional<Batch> batch = main.next(); ++i) {
      inner_iter_ = i;
      step(*batch, "");
      if (main_steps > 0 && iter_ % main_steps == 0)
        for (size_t k = 1; k < loaders.size(); ++k) {
          const int64_t times = train_ratio_.empty() ? 1 : train_ratio_[k];
          for (int64_t t = 0; t < times; ++t)
            step(next_auxiliary(*loaders[k], k), "/aux" + std::to_string(k - 1));
        }
      ++iter_;
    }
    call_hook(&Hook::after_train_epoch);
    ++epoch_;
  }

  std::vector<int64_t> train_ratio_;  // [main, aux0, aux1, ...]; empty: all 1
  std::vector<bool> started_;         // each auxiliary loader's pass begun this epoch
  std::vector<int64_t> passes_;       // passes each auxiliary loader began
};

std::shared_ptr<Runner> build_omnisource_runner(Args& args, RunnerParts parts) {
  auto max_epochs = args.get<std::optional<int64_t>>("max_epochs", std::nullopt);
  if (!max_epochs) throw args.error("max_epochs", "max_epochs must be specified");
  if (*max_epochs < 0) throw args.error("max_epochs", "max_epochs must not be negative");
  auto train_ratio = args.get<std::vector<int64_t>>("train_ratio", {});
  for (int64_t r : train_ratio)
    if (r < 0) throw args.error("train_ratio", "the ratios must not be negative");
  return std::make_shared<OmniSourceRunner>(std::move(parts), *max_epochs, std::move(train_ratio));
}

}  // namespace

TUBELET_REGISTER(RUNNERS, OmniSourceRunner, build_omnisource_runner);

}  // namespace tubelet
