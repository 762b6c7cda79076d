// tubelet train CONFIG [--work-dir D] [--resume-from CKPT] [--auto-resume] [--validate]
//                      [--test-last] [--test-best] [--seed N] [--diff-seed]
//                      [--deterministic] [--launcher none|pytorch|slurm|mpi]
//                      [--device cpu|cuda|cuda:N] [--gpus N | --gpu-ids ID ...]
//                      [--cfg-options ...] [--offline]
// MMAction2's tools/train.py: one process, or one rank of a distributed run.
#include <iostream>

#include "commands.h"
#include "launcher_options.h"
#include "tubelet/apis/train.h"
#include "tubelet/fileio/model_cache.h"

namespace tubelet::cli {

namespace {

struct TrainArgs {
  TrainOptions options;
  std::string work_dir, resume_from;
  int64_t seed = -1;
  std::string device;
  int gpus = 0;
  std::vector<int> gpu_ids;
};

// MMAction2's deprecated --gpus / --gpu-ids: one process uses one GPU, the first id given.
std::string device_of_gpu_args(const TrainArgs& a) {
  std::cerr << "Warning: --gpus and --gpu-ids are only used in non-distributed mode and will "
               "be deprecated; "
            << (a.device.empty() ? "" : "--device decides here; ")
            << "non-distributed training uses one GPU\n";
  if (!a.device.empty()) return a.device;
  return a.gpu_ids.empty() ? "cuda" : "cuda:" + std::to_string(a.gpu_ids.front());
}

}  // namespace

void add_train(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* cmd =
      app.add_subcommand("train", "Train a model from a config (MMAction2's tools/train.py)");
  cmd->add_option("config", a->options.config, "Config file")->required();
  cmd->add_option("--work-dir", a->work_dir, "Where logs and checkpoints go");
  cmd->add_option("--resume-from", a->resume_from, "Checkpoint to resume from");
  cmd->add_flag("--auto-resume", a->options.auto_resume,
                "Resume from the work dir's latest.pth when there is one");
  cmd->add_flag("--validate", a->options.validate, "Evaluate on data.val during training");
  cmd->add_flag("--test-last", a->options.test_last,
                "Test data.test with the final weights after training");
  cmd->add_flag("--test-best", a->options.test_best,
                "Test data.test with the best checkpoint (--validate's save_best) after training");
  cmd->add_option("--seed", a->seed, "Random seed");
  cmd->add_flag("--diff-seed", a->options.diff_seed, "Seed each rank with seed + rank");
  cmd->add_flag("--deterministic", a->options.deterministic, "Deterministic algorithms");
  add_launcher_options(cmd, a->options.launcher, "");
  cmd->add_option("--device", a->device,
                  "cpu, cuda or cuda:N (default: the config's device, else cpu)");
  auto* gpus = cmd->add_option("--gpus", a->gpus, "Deprecated: a number of GPUs (one is used)")
                   ->check(CLI::PositiveNumber);
  cmd->add_option("--gpu-ids", a->gpu_ids, "Deprecated: GPU ids (the first is used)")
      ->excludes(gpus);
  cmd->add_option("--cfg-options", a->options.cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->add_flag_callback(
      "--offline", [] { set_offline(true); },
      "Download nothing: URL and model-zoo checkpoints must be in the cache (TUBELET_OFFLINE=1)");
  cmd->callback([a] {
    TrainOptions o = a->options;
    if (!a->work_dir.empty()) o.work_dir = a->work_dir;
    if (!a->resume_from.empty()) o.resume_from = a->resume_from;
    if (a->seed >= 0) o.seed = a->seed;
    if (!a->device.empty()) o.device = a->device;
    if (a->gpus > 0 || !a->gpu_ids.empty()) o.device = device_of_gpu_args(*a);
    const std::string work_dir = train(o);
    std::cout << "work dir: " << work_dir << "\n";
  });
}

}  // namespace tubelet::cli
