// mmcv's runners: the training loop that owns the model, the optimizer, the position
// (epoch, iter) and the hooks called at fixed points. EpochBasedRunner and IterBasedRunner
// are registered in RUNNERS; hooks do everything else (LR schedule, backward and step,
// checkpoints, logs, evaluation).
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/data/data_loader.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/log_buffer.h"
#include "tubelet/engine/logger.h"
#include "tubelet/models/trainable.h"

namespace tubelet {

// What build_runner gets besides the config (mmcv's default_args).
struct RunnerParts {
  std::shared_ptr<torch::nn::Module> model;            // must also implement Trainable
  std::shared_ptr<torch::optim::Optimizer> optimizer;  // may be null (no training)
  std::filesystem::path work_dir;
  std::shared_ptr<Logger> logger;
  Dict meta;
  std::string timestamp;  // names the run's logs: <timestamp>.log, <timestamp>.log.json
  int rank = 0;
  int world_size = 1;
};

// [("train", 1), ("val", 1)]
using Workflow = std::vector<std::pair<std::string, int64_t>>;
Workflow read_workflow(const Value& workflow);

struct RegisteredHook {
  std::shared_ptr<Hook> hook;
  int priority;
};

class Runner {
 public:
  Runner(RunnerParts parts, std::optional<int64_t> max_epochs, std::optional<int64_t> max_iters);
  virtual ~Runner() = default;
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // One loader per workflow phase.
  virtual void run(const std::vector<DataLoader*>& loaders, const Workflow& workflow) = 0;
  // Writes out_dir/filename_tmpl (formatted with the 1-based epoch or iter) atomically and,
  // when asked, out_dir/latest.pth; returns the written path. `meta` goes into the
  // checkpoint's meta under the runner's own (mmcv's meta.update(self.meta)).
  virtual std::filesystem::path save_checkpoint(const std::filesystem::path& out_dir,
                                                const std::string& filename_tmpl,
                                                bool save_optimizer = true,
                                                bool create_symlink = true,
                                                const Dict& meta = {}) = 0;
  // Model, optimizer, position, meta and RNG state from a checkpoint this runner wrote.
  virtual void resume(const std::filesystem::path& checkpoint, bool resume_optimizer = true);
  // Weights only (load_from), with mmcv's report of mismatched keys in the log.
  void load_checkpoint(const std::filesystem::path& checkpoint, bool strict = false);

  // Inserts after every hook of lower or equal priority value (mmcv's order).
  void register_hook(std::shared_ptr<Hook> hook, const Value& priority = Value("NORMAL"));
  // A HOOKS config with optional `priority`, built with `config_path` in errors.
  void register_hook_from_cfg(const Value& cfg, const std::string& config_path);
  const std::vector<RegisteredHook>& hooks() const { return hooks_; }
  // mmcv's get_hook_info(): each stage and the hooks it triggers, in order.
  std::string hook_info() const;

  // The position, as hooks read it.
  int64_t epoch() const { return epoch_; }
  int64_t iter() const { return iter_; }
  int64_t inner_iter() const { return inner_iter_; }
  int64_t max_epochs() const;  // throws for a runner without them
  int64_t max_iters() const;
  bool has_max_epochs() const { return max_epochs_.has_value(); }
  const std::string& mode() const { return mode_; }
  // The loader of the pass in progress (len(runner.data_loader) is its size()).
  DataLoader& data_loader() const;
  const Batch* data_batch() const { return data_batch_; }
  const StepOutputs& outputs() const { return outputs_; }

  torch::nn::Module& model() { return *model_; }
  std::shared_ptr<torch::nn::Module> model_ptr() const { return model_; }
  bool has_optimizer() const { return optimizer_ != nullptr; }
  torch::optim::Optimizer& optimizer() const;  // throws when there is none
  // Each param group's lr before any schedule (mmcv keeps it as group['initial_lr']);
  // filled by the first LR hook's before_run, saved in checkpoints.
  std::vector<double>& initial_lrs() { return initial_lrs_; }
  const std::vector<double>& initial_lrs() const { return initial_lrs_; }
  // The same for momentum (mmcv's group['initial_momentum']), filled by a momentum hook.
  std::vector<double>& initial_momentums() { return initial_momentums_; }
  const std::vector<double>& initial_momentums() const { return initial_momentums_; }
  LogBuffer& log_buffer() { return log_buffer_; }
  Logger& logger() const { return *logger_; }
  Dict& meta() { return meta_; }
  const std::filesystem::path& work_dir() const { return work_dir_; }
  const std::string& timestamp() const { return timestamp_; }
  // Each param group's lr, and its momentum ("momentum", else betas[0]; 0 if neither).
  std::vector<double> current_lr() const;
  std::vector<double> current_momentum() const;
  int rank() const { return rank_; }
  int world_size() const { return world_size_; }

 protected:
  using HookPoint = void (Hook::*)(Runner&);
  void call_hook(HookPoint point);
  // model.train_step / val_step, then the log buffer, each logged name followed by
  // `log_suffix` (OmniSourceRunner's "/aux0" for its first auxiliary source).
  void run_iter(const Batch& batch, bool train_mode, const std::string& log_suffix = "");
  void log_start(const Workflow& workflow, const std::string& max_text);
  // {meta, state_dict, optimizer, rng_state} to `path`, atomically.
  void write_checkpoint(const std::filesystem::path& path, const Value& meta, bool save_optimizer);
  void link_latest(const std::filesystem::path& out_dir, const std::filesystem::path& written);
  // meta() plus mmcv's mmcv_version and time, and the given position.
  Value checkpoint_meta(int64_t epoch, int64_t iter, const Dict& extra) const;

  std::shared_ptr<torch::nn::Module> model_;
  Trainable* trainable_ = nullptr;
  std::shared_ptr<torch::optim::Optimizer> optimizer_;
  std::filesystem::path work_dir_;
  std::string timestamp_;
  std::shared_ptr<Logger> logger_;
  Dict meta_;
  int rank_ = 0;
  int world_size_ = 1;

  std::vector<RegisteredHook> hooks_;
  LogBuffer log_buffer_;
  std::vector<double> initial_lrs_;
  std::vector<double> initial_momentums_;

  std::optional<int64_t> max_epochs_;
  std::optional<int64_t> max_iters_;
  int64_t epoch_ = 0;
  int64_t iter_ = 0;
  int64_t inner_iter_ = 0;
  std::string mode_ = "train";
  DataLoader* data_loader_ = nullptr;
  const Batch* data_batch_ = nullptr;
  StepOutputs outputs_;
};

using RunnerRegistry = Registry<Runner, RunnerParts>;

}  // namespace tubelet
