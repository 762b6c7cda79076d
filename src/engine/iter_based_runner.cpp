// mmcv's IterBasedRunner: one batch per step, loaders restarted when exhausted, until
// max_iters training iterations ran.
#include <torch/types.h>

#include "runner_common.h"
#include "tubelet/args.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

namespace {

// mmcv's IterLoader: an endless view of a loader that counts its passes.
class IterLoader {
 public:
  // Starts at pass `epoch`, `skip` batches in: where a resumed run left off.
  IterLoader(DataLoader& loader, int64_t epoch, int64_t skip) : loader_(loader), epoch_(epoch) {
    restart();
    for (int64_t i = 0; i < skip; ++i) next();
  }
  int64_t epoch() const { return epoch_; }
  DataLoader& loader() { return loader_; }
  Batch next() {
    std::optional<Batch> batch = loader_.next();
    if (!batch) {
      ++epoch_;
      restart();
      batch = loader_.next();
      if (!batch) throw std::runtime_error("the data loader gave no batch after a restart");
    }
    return std::move(*batch);
  }

 private:
  void restart() {
    loader_.set_epoch(epoch_);
    loader_.start();
  }
  DataLoader& loader_;
  int64_t epoch_;
};

class IterBasedRunner : public Runner {
 public:
  IterBasedRunner(RunnerParts parts, int64_t max_iters)
      : Runner(std::move(parts), std::nullopt, max_iters) {}

  void run(const std::vector<DataLoader*>& loaders, const Workflow& workflow) override {
    check_loaders(loaders, workflow);
    log_start(workflow, std::to_string(*max_iters_) + " iters");
    call_hook(&Hook::before_run);
    // mmcv restarts every loader at pass 0 even when resumed; continuing the training
    // loader's pass where the checkpoint left it makes a resumed run equal an unbroken one.
    std::vector<IterLoader> iter_loaders;
    for (size_t i = 0; i < loaders.size(); ++i) {
      bool resumed_train = workflow[i].first == "train" && iter_ > 0;
      int64_t size = loaders[i]->size();
      iter_loaders.emplace_back(*loaders[i], resumed_train ? iter_ / size : 0,
                                resumed_train ? iter_ % size : 0);
    }
    call_hook(&Hook::before_epoch);
    while (iter_ < *max_iters_) {
      for (size_t i = 0; i < workflow.size(); ++i) {
        inner_iter_ = 0;
        const auto& [mode, iters] = workflow[i];
        for (int64_t n = 0; n < iters; ++n) {
          if (mode == "train" && iter_ >= *max_iters_) break;
          if (mode == "train")
            train(iter_loaders[i]);
          else
            val(iter_loaders[i]);
        }
      }
    }
    call_hook(&Hook::after_epoch);
    call_hook(&Hook::after_run);
  }

  std::filesystem::path save_checkpoint(const std::filesystem::path& out_dir,
                                        const std::string& filename_tmpl, bool save_optimizer,
                                        bool create_symlink, const Dict& meta) override {
    auto path = out_dir / format_checkpoint_name(filename_tmpl, iter_ + 1);
    // As mmcv: epoch + 1 and the current iter (after_train_iter runs before iter_ moves on).
    write_checkpoint(path, checkpoint_meta(epoch_ + 1, iter_, meta), save_optimizer);
    if (create_symlink) link_latest(out_dir, path);
    return path;
  }

  void resume(const std::filesystem::path& checkpoint, bool resume_optimizer) override {
    Runner::resume(checkpoint, resume_optimizer);
    inner_iter_ = iter_;
  }

 private:
  void train(IterLoader& loader) {
    model_->train();
    mode_ = "train";
    data_loader_ = &loader.loader();
    epoch_ = loader.epoch();
    Batch batch = loader.next();
    data_batch_ = &batch;
    call_hook(&Hook::before_train_iter);
    run_iter(batch, true);
    call_hook(&Hook::after_train_iter);
    data_batch_ = nullptr;
    ++inner_iter_;
    ++iter_;
  }

  void val(IterLoader& loader) {
    torch::NoGradGuard no_grad;
    model_->eval();
    mode_ = "val";
    data_loader_ = &loader.loader();
    Batch batch = loader.next();
    data_batch_ = &batch;
    call_hook(&Hook::before_val_iter);
    run_iter(batch, false);
    call_hook(&Hook::after_val_iter);
    data_batch_ = nullptr;
    ++inner_iter_;
  }
};

std::shared_ptr<Runner> build_iter_based_runner(Args& args, RunnerParts parts) {
  auto max_iters = args.get<std::optional<int64_t>>("max_iters", std::nullopt);
  if (args.has("max_epochs"))
    throw args.error("max_epochs", "Only one of `max_epochs` or `max_iters` can be set.");
  if (!max_iters) throw args.error("max_iters", "max_iters must be specified");
  if (*max_iters < 0) throw args.error("max_iters", "max_iters must not be negative");
  return std::make_shared<IterBasedRunner>(std::move(parts), *max_iters);
}

}  // namespace

TUBELET_REGISTER(RUNNERS, IterBasedRunner, build_iter_based_runner);

}  // namespace tubelet
