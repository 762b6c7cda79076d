// MMAction2's EvalHook (mmcv 1.7.0's EvalHook with save_best='auto'): every `interval`
// epochs (or iterations) from `start`, tests the model on the validation loader
// (single_gpu_test), evaluates the results with the dataset's metrics, puts them in the log
// buffer so the logger hooks write them as a 'val' entry, and keeps the best checkpoint
// (best_<key>_epoch_<n>.pth, the previous one removed) with hook_msgs.best_score/best_ckpt
// in the runner's meta.
//
// It needs the validation loader, so the train tool builds it from the config's
// `evaluation` dict (build_eval_hook) and registers it with priority LOW, as MMAction2's
// train_model does; it is not in HOOKS.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/data/data_loader.h"
#include "tubelet/data/dataset.h"
#include "tubelet/data/dataset_loader.h"
#include "tubelet/engine/hook.h"

namespace tubelet {

struct EvalHookOptions {
  std::optional<int64_t> start;
  int64_t interval = 1;
  bool by_epoch = true;
  std::optional<std::string> save_best = std::string("auto");  // MMAction2's default
  std::optional<std::string> rule;                             // "greater", "less" or inferred
  // What decides the rule of a key (case-insensitive: equal first, then substring). These
  // are mmcv 1.7.0's defaults, which its EvalHook.__init__ assigns to the instance and so
  // wins over the class lists MMAction2's subclass declares.
  std::vector<std::string> greater_keys = {"acc", "top",   "AR@",  "auc",  "precision",
                                           "mAP", "mDice", "mIoU", "mAcc", "aAcc"};
  std::vector<std::string> less_keys = {"loss"};
  std::string out_dir;  // empty: the work dir; else out_dir/<work dir's name>
  // dataset.evaluate's arguments (empty: the dataset's defaults, top_k_accuracy (1, 5)).
  std::vector<std::string> metrics;
  Dict metric_options;
  bool show_progress = true;
  // DistEvalHook's: rank 0's batch-norm statistics on every rank before testing.
  bool broadcast_bn_buffer = true;
};

// The config's `evaluation` dict as MMAction2's EvalHook(**eval_cfg) reads it: start,
// interval, by_epoch, save_best, rule, greater_keys, less_keys, out_dir, file_client_args
// (local disk only), the distributed hook's gpu_collect, tmpdir and broadcast_bn_buffer
// (nothing to do in one process), and what goes on to dataset.evaluate: metrics (str or
// list), metric_options and the deprecated topk (merged into metric_options.top_k_accuracy).
// Other keys are an error naming `where`.
EvalHookOptions read_eval_hook_options(const Value& evaluation,
                                       const std::string& where = "evaluation");

class EvalHook : public Hook {
 public:
  // `dataset` evaluates what the model gives for `loader`'s batches (in dataset order).
  EvalHook(std::shared_ptr<DataLoader> loader, std::shared_ptr<const Dataset> dataset,
           EvalHookOptions options);
  EvalHook(std::shared_ptr<DatasetLoader> loader, EvalHookOptions options);
  std::string type() const override { return "EvalHook"; }

  void before_run(Runner& runner) override;
  void before_train_epoch(Runner& runner) override;
  void before_train_iter(Runner& runner) override;
  void after_train_epoch(Runner& runner) override;
  void after_train_iter(Runner& runner) override;

  // The metric that picks the best checkpoint ("auto" until the first evaluation) and its
  // rule ("" while unknown).
  const std::string& key_indicator() const { return key_indicator_; }
  const std::string& rule() const { return rule_; }
  const std::filesystem::path& best_ckpt_path() const { return best_ckpt_path_; }

 private:
  void init_rule(const std::optional<std::string>& rule, const std::string& key_indicator);
  bool should_evaluate(const Runner& runner) const;
  void do_evaluate(Runner& runner);
  // The key indicator's score, or nullopt when there is no best to keep.
  std::optional<double> evaluate(Runner& runner, const Dict& eval_res);
  void save_best_checkpoint(Runner& runner, double key_score);

  std::shared_ptr<DataLoader> loader_;
  std::shared_ptr<const Dataset> dataset_;
  EvalHookOptions options_;
  std::string key_indicator_;
  std::string rule_;
  bool initial_flag_ = true;
  std::filesystem::path out_dir_;
  std::filesystem::path best_ckpt_path_;
};

// read_eval_hook_options + the hook on `loader` (the val DatasetLoader, shuffle off).
std::shared_ptr<EvalHook> build_eval_hook(const Value& evaluation,
                                          std::shared_ptr<DatasetLoader> loader,
                                          const std::string& where = "evaluation");

}  // namespace tubelet
