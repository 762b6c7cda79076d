#include "launcher_options.h"

#include <cstdlib>

namespace tubelet::cli {

void add_launcher_options(CLI::App* cmd, std::string& launcher, const std::string& what) {
  cmd->add_option("--launcher", launcher,
                  "Job launcher: none, pytorch (torchrun's RANK, WORLD_SIZE, MASTER_ADDR, "
                  "MASTER_PORT), slurm (SLURM_PROCID, ...) or mpi (OMPI_COMM_WORLD_RANK, ...)" +
                      what)
      ->check(CLI::IsMember({"none", "pytorch", "slurm", "mpi"}));
  cmd->add_option_function<int>(
         "--local_rank,--local-rank",
         [](const int& rank) {
           if (!std::getenv("LOCAL_RANK")) ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 0);
         },
         "This process's GPU on its machine, as torch.distributed.launch passes it")
      ->check(CLI::NonNegativeNumber);
}

}  // namespace tubelet::cli
