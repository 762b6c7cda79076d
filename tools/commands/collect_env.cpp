// tubelet collect-env [--json]: MMAction2's tools/misc/collect_env.py. Prints what Tubelet was
// built with and runs on (LibTorch and where it was found, CUDA, cuDNN, NCCL, GPUs, BLAS,
// oneDNN, threads, FFmpeg, OpenCV, compiler, Tubelet's version and git hash) as `key: value`
// lines, or with --json as one JSON object with snake_case keys.
#include <iostream>

#include "commands.h"
#include "tubelet/apis/environment.h"
#include "tubelet/config/dump.h"

namespace tubelet::cli {

void add_collect_env(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "collect-env", "Print the build and run-time environment (LibTorch, CUDA, libraries)");
  cmd->add_flag("--json", *json, "One JSON object with snake_case keys");
  cmd->callback([json] {
    const Dict env = collect_env();
    if (*json)
      std::cout << to_json(Value(env), 2) << "\n";
    else
      std::cout << format_env(env) << "\n";
  });
}

}  // namespace tubelet::cli
