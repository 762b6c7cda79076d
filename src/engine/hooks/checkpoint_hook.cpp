// mmcv's CheckpointHook: saves every `interval` epochs (or iterations) and at the end,
// records hook_msgs.last_ckpt, and keeps only the last `max_keep_ckpts` files.
#include "../runner_common.h"
#include "tubelet/args.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

namespace {

struct CheckpointHookOptions {
  int64_t interval = -1;
  bool by_epoch = true;
  bool save_optimizer = true;
  std::string out_dir;
  int64_t max_keep_ckpts = -1;
  bool save_last = true;
  std::optional<std::string> filename_tmpl;
  bool create_symlink = true;
  Dict meta;  // MMAction2's train tool puts mmaction_version and the config text here
};

class CheckpointHook : public Hook {
 public:
  explicit CheckpointHook(CheckpointHookOptions o) : o_(std::move(o)) {}
  std::string type() const override { return "CheckpointHook"; }

  void before_run(Runner& runner) override {
    out_dir_ = o_.out_dir.empty()
                   ? runner.work_dir()
                   : std::filesystem::path(o_.out_dir) / runner.work_dir().filename();
    runner.logger().info("Checkpoints will be saved to " + out_dir_.string() +
                         " by HardDiskBackend.");
  }

  void after_train_epoch(Runner& runner) override {
    if (!o_.by_epoch) return;
    if (every_n_epochs(runner, o_.interval) || (o_.save_last && is_last_epoch(runner))) {
      runner.logger().info("Saving checkpoint at " + std::to_string(runner.epoch() + 1) +
                           " epochs");
      save(runner, runner.epoch() + 1);
    }
  }

  void after_train_iter(Runner& runner) override {
    if (o_.by_epoch) return;
    if (every_n_iters(runner, o_.interval) || (o_.save_last && is_last_iter(runner))) {
      runner.logger().info("Saving checkpoint at " + std::to_string(runner.iter() + 1) +
                           " iterations");
      save(runner, runner.iter() + 1);
    }
  }

 private:
  void save(Runner& runner, int64_t current) {
    if (runner.rank() != 0) return;
    std::string tmpl = o_.filename_tmpl.value_or(o_.by_epoch ? "epoch_{}.pth" : "iter_{}.pth");
    auto path =
        runner.save_checkpoint(out_dir_, tmpl, o_.save_optimizer, o_.create_symlink, o_.meta);
    Value msgs =
        runner.meta().contains("hook_msgs") ? runner.meta().at("hook_msgs") : Value(Dict{});
    msgs.mutable_dict().set("last_ckpt", Value(path.string()));
    runner.meta().set("hook_msgs", msgs);
    if (o_.max_keep_ckpts <= 0) return;
    // The files `interval` apart before the kept ones, newest first, until one is missing.
    for (int64_t step = current - o_.max_keep_ckpts * o_.interval; step > 0; step -= o_.interval) {
      auto old = out_dir_ / format_checkpoint_name(tmpl, step);
      if (!std::filesystem::is_regular_file(old)) break;
      std::filesystem::remove(old);
    }
  }

  CheckpointHookOptions o_;
  std::filesystem::path out_dir_;
};

std::shared_ptr<Hook> build_checkpoint_hook(Args& args) {
  CheckpointHookOptions o;
  o.interval = args.get<int64_t>("interval", -1);
  o.by_epoch = args.get("by_epoch", true);
  o.save_optimizer = args.get("save_optimizer", true);
  o.out_dir = args.get<std::optional<std::string>>("out_dir", std::nullopt).value_or("");
  o.max_keep_ckpts = args.get<int64_t>("max_keep_ckpts", -1);
  o.save_last = args.get("save_last", true);
  o.filename_tmpl = args.get<std::optional<std::string>>("filename_tmpl", std::nullopt);
  o.create_symlink = args.get("create_symlink", true);
  o.meta = args.get<std::optional<Dict>>("meta", std::nullopt).value_or(Dict{});
  if (o.filename_tmpl && o.filename_tmpl->find("{}") == std::string::npos)
    throw args.error("filename_tmpl", "filename_tmpl must hold '{}' (e.g. 'epoch_{}.pth')");
  // One process has nothing to synchronise; the distributed issue adds the all-reduce.
  args.get("sync_buffer", false);
  args.get<std::optional<Dict>>("file_client_args", std::nullopt);  // local disk only
  return std::make_shared<CheckpointHook>(std::move(o));
}

}  // namespace

TUBELET_REGISTER(HOOKS, CheckpointHook, build_checkpoint_hook);

}  // namespace tubelet
