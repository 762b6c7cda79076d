// mmcv's EpochBasedRunner (epoch_based_runner.h).
#include <torch/types.h>

#include "epoch_based_runner.h"
#include "runner_common.h"
#include "tubelet/args.h"

namespace tubelet {

void EpochBasedRunner::run(const std::vector<DataLoader*>& loaders, const Workflow& workflow) {
  check_loaders(loaders, workflow);
  for (size_t i = 0; i < workflow.size(); ++i)
    if (workflow[i].first == "train") {
      max_iters_ = *max_epochs_ * loaders[i]->size();
      break;
    }
  log_start(workflow, std::to_string(*max_epochs_) + " epochs");
  call_hook(&Hook::before_run);
  while (epoch_ < *max_epochs_) {
    for (size_t i = 0; i < workflow.size(); ++i) {
      const auto& [mode, epochs] = workflow[i];
      for (int64_t e = 0; e < epochs; ++e) {
        if (mode == "train" && epoch_ >= *max_epochs_) break;
        if (mode == "train")
          train(*loaders[i]);
        else
          val(*loaders[i]);
      }
    }
  }
  call_hook(&Hook::after_run);
}

std::filesystem::path EpochBasedRunner::save_checkpoint(const std::filesystem::path& out_dir,
                                                        const std::string& filename_tmpl,
                                                        bool save_optimizer, bool create_symlink,
                                                        const Dict& meta) {
  auto path = out_dir / format_checkpoint_name(filename_tmpl, epoch_ + 1);
  write_checkpoint(path, checkpoint_meta(epoch_ + 1, iter_, meta), save_optimizer);
  if (create_symlink) link_latest(out_dir, path);
  return path;
}

void EpochBasedRunner::train(DataLoader& loader) {
  model_->train();
  mode_ = "train";
  data_loader_ = &loader;
  max_iters_ = *max_epochs_ * loader.size();
  call_hook(&Hook::before_train_epoch);
  loader.set_epoch(epoch_);
  loader.start();
  // As mmcv: inner_iter is the batch index and keeps its last value after the pass.
  for (int64_t i = 0; std::optional<Batch> batch = loader.next(); ++i) {
    inner_iter_ = i;
    data_batch_ = &*batch;
    call_hook(&Hook::before_train_iter);
    run_iter(*batch, true);
    call_hook(&Hook::after_train_iter);
    data_batch_ = nullptr;
    ++iter_;
  }
  call_hook(&Hook::after_train_epoch);
  ++epoch_;
}

void EpochBasedRunner::val(DataLoader& loader) {
  model_->eval();
  mode_ = "val";
  data_loader_ = &loader;
  call_hook(&Hook::before_val_epoch);
  loader.start();
  torch::NoGradGuard no_grad;
  for (int64_t i = 0; std::optional<Batch> batch = loader.next(); ++i) {
    inner_iter_ = i;
    data_batch_ = &*batch;
    call_hook(&Hook::before_val_iter);
    run_iter(*batch, false);
    call_hook(&Hook::after_val_iter);
    data_batch_ = nullptr;
  }
  call_hook(&Hook::after_val_epoch);
}

namespace {

std::shared_ptr<Runner> build_epoch_based_runner(Args& args, RunnerParts parts) {
  auto max_epochs = args.get<std::optional<int64_t>>("max_epochs", std::nullopt);
  if (args.has("max_iters"))
    throw args.error("max_iters", "Only one of `max_epochs` or `max_iters` can be set.");
  if (!max_epochs) throw args.error("max_epochs", "max_epochs must be specified");
  if (*max_epochs < 0) throw args.error("max_epochs", "max_epochs must not be negative");
  return std::make_shared<EpochBasedRunner>(std::move(parts), *max_epochs);
}

}  // namespace

TUBELET_REGISTER(RUNNERS, EpochBasedRunner, build_epoch_based_runner);

}  // namespace tubelet
