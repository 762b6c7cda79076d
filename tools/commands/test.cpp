// tubelet test CONFIG CHECKPOINT [--eval top_k_accuracy mean_class_accuracy ...]
//                               [--out results.pkl|.json] [--average-clips score|prob|None]
//                               [--eval-options k=v ...] [--launcher none|pytorch|slurm|mpi]
// MMAction2's tools/test.py; prints "name: value" per metric (rank 0 of a distributed test).
#include <iostream>

#include "commands.h"
#include "launcher_options.h"
#include "print_metrics.h"
#include "tubelet/apis/test.h"
#include "tubelet/config/config.h"
#include "tubelet/fileio/model_cache.h"

namespace tubelet::cli {

void add_test(CLI::App& app) {
  auto o = std::make_shared<TestOptions>();
  auto out = std::make_shared<std::string>();
  auto average = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("test", "Test a checkpoint (MMAction2's tools/test.py)");
  cmd->add_option("config", o->config, "Config file")->required();
  cmd->add_option("checkpoint", o->checkpoint, "Checkpoint (.pth)")->required();
  cmd->add_option("--eval", o->eval, "Metrics, e.g. top_k_accuracy mean_class_accuracy");
  cmd->add_option("--out", *out,
                  "Write the results to this .json or .pkl (a pickle as MMAction2's "
                  "tools/test.py writes: numpy score rows, or a localizer's proposals)");
  cmd->add_option("--average-clips", *average, "score, prob or None");
  cmd->add_flag("--per-class-accuracy", o->per_class_accuracy,
                "Also print each class's accuracy (\"class N: x\")");
  add_launcher_options(cmd, o->launcher, "; each process tests its share, rank 0 evaluates");
  // multi_gpu_test's ways of gathering: results always go through the process group here.
  cmd->add_flag("--gpu-collect",
                "Accepted for MMAction2's scripts: results are gathered "
                "through the process group either way");
  auto tmpdir = std::make_shared<std::string>();
  cmd->add_option("--tmpdir", *tmpdir,
                  "Accepted for MMAction2's scripts: no temporary files are used");
  auto eval_options = std::make_shared<std::vector<std::string>>();
  auto options_old = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--eval-options", *eval_options,
                  "dataset.evaluate's arguments as key=value, e.g. topk=(1,3) or "
                  "metrics=mean_class_accuracy")
      ->expected(0, -1);
  cmd->add_option("--options", *options_old, "Deprecated: --eval-options")
      ->expected(0, -1)
      ->excludes("--eval-options");
  cmd->add_option("--cfg-options", o->cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  auto device = std::make_shared<std::string>();
  cmd->add_option("--device", *device,
                  "cpu, cuda or cuda:N (default: the config's device, else cpu)");
  cmd->add_flag_callback(
      "--offline", [] { set_offline(true); },
      "Download nothing: URL and model-zoo checkpoints must be in the cache (TUBELET_OFFLINE=1)");
  cmd->callback([o, out, average, eval_options, options_old, tmpdir, device] {
    TestOptions options = *o;
    if (!options_old->empty())
      std::cerr << "Warning: --options is deprecated in favor of --eval-options\n";
    for (const auto& item : options_old->empty() ? *eval_options : *options_old) {
      auto [key, value] = parse_cfg_option(item);
      options.eval_options.set(key, value);
    }
    if (!out->empty()) options.out = *out;
    if (!average->empty()) options.average_clips = *average;
    if (!device->empty()) options.device = *device;
    print_metrics(test(options));
  });
}

}  // namespace tubelet::cli
