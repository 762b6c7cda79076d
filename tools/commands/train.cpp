// tubelet train CONFIG [--work-dir D] [--resume-from CKPT] [--auto-resume] [--validate]
//                      [--seed N] [--deterministic] [--launcher none|pytorch|slurm]
//                      [--device cpu|cuda|cuda:N]
//                      [--cfg-options ...]
// MMAction2's tools/train.py: one process, or one rank of a distributed run.
#include <iostream>

#include "commands.h"
#include "tubelet/apis/train.h"

namespace tubelet::cli {

namespace {

struct TrainArgs {
  TrainOptions options;
  std::string work_dir, resume_from;
  int64_t seed = -1;
  std::string device;
};

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
  cmd->add_option("--seed", a->seed, "Random seed");
  cmd->add_flag("--deterministic", a->options.deterministic, "Deterministic algorithms");
  cmd->add_option("--launcher", a->options.launcher,
                  "Job launcher: none, pytorch (torchrun's RANK, WORLD_SIZE, MASTER_ADDR, ...) "
                  "or slurm")
      ->check(CLI::IsMember({"none", "pytorch", "slurm", "mpi"}));
  cmd->add_option("--device", a->device,
                  "cpu, cuda or cuda:N (default: the config's device, else cpu)");
  cmd->add_option("--cfg-options", a->options.cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->callback([a] {
    TrainOptions o = a->options;
    if (!a->work_dir.empty()) o.work_dir = a->work_dir;
    if (!a->resume_from.empty()) o.resume_from = a->resume_from;
    if (a->seed >= 0) o.seed = a->seed;
    if (!a->device.empty()) o.device = a->device;
    const std::string work_dir = train(o);
    std::cout << "work dir: " << work_dir << "\n";
  });
}

}  // namespace tubelet::cli
