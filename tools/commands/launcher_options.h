// Options `tubelet train` and `tubelet test` share with MMAction2's tools for being one
// process of a distributed run.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace tubelet::cli {

// --launcher none|pytorch|slurm|mpi into `launcher`, and --local_rank/--local-rank N, which
// torch.distributed.launch passes instead of setting LOCAL_RANK: as MMAction2's tools, it
// becomes LOCAL_RANK unless that is already set.
void add_launcher_options(CLI::App* cmd, std::string& launcher, const std::string& what);

}  // namespace tubelet::cli
