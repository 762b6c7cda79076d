// tubelet test CONFIG CHECKPOINT [--eval top_k_accuracy mean_class_accuracy ...]
//                               [--out results.json] [--average-clips score|prob|None]
//                               [--launcher none|pytorch|slurm]
// MMAction2's tools/test.py; prints "name: value" per metric (rank 0 of a distributed test).
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "tubelet/apis/test.h"

namespace tubelet::cli {

void add_test(CLI::App& app) {
  auto o = std::make_shared<TestOptions>();
  auto out = std::make_shared<std::string>();
  auto average = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("test", "Test a checkpoint (MMAction2's tools/test.py)");
  cmd->add_option("config", o->config, "Config file")->required();
  cmd->add_option("checkpoint", o->checkpoint, "Checkpoint (.pth)")->required();
  cmd->add_option("--eval", o->eval, "Metrics, e.g. top_k_accuracy mean_class_accuracy");
  cmd->add_option("--out", *out, "Write the results (one score row per video) to this .json");
  cmd->add_option("--average-clips", *average, "score, prob or None");
  cmd->add_flag("--per-class-accuracy", o->per_class_accuracy,
                "Also print each class's accuracy (\"class N: x\")");
  cmd->add_option("--launcher", o->launcher,
                  "Job launcher: none, pytorch (torchrun's RANK, WORLD_SIZE, MASTER_ADDR, ...) "
                  "or slurm; each process tests its share, rank 0 evaluates")
      ->check(CLI::IsMember({"none", "pytorch", "slurm", "mpi"}));
  cmd->add_option("--cfg-options", o->cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->callback([o, out, average] {
    TestOptions options = *o;
    if (!out->empty()) options.out = *out;
    if (!average->empty()) options.average_clips = *average;
    Dict metrics = test(options);
    for (const auto& [name, value] : metrics.items()) {
      if (value.is_number()) {
        std::printf("%s: %.4f\n", name.as_str().c_str(), value.as_float());
      } else {
        std::cout << name.as_str() << ":\n" << repr(value) << "\n";
      }
    }
  });
}

}  // namespace tubelet::cli
