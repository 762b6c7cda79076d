// mmcv's runner/dist_utils: start the process group a run trains in (init_dist) and ask
// where this process stands in it (get_dist_info). The launchers are MMAction2's names:
// "none" (one process), "pytorch" (torchrun's RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT), "slurm" (SLURM_PROCID, SLURM_NTASKS, SLURM_NODELIST; MASTER_PORT or
// 29500) and "mpi" (Open MPI's OMPI_COMM_WORLD_RANK, _SIZE, _LOCAL_RANK with MASTER_ADDR
// and MASTER_PORT or 29500; the process group is still Gloo/NCCL, as in mmcv). Rendezvous goes
// through LibTorch's TCPStore on MASTER_ADDR:MASTER_PORT, the collectives through LibTorch's c10d
// process groups (Gloo on CPU, NCCL on CUDA builds that have it).
#pragma once

#include <optional>
#include <string>

#include "tubelet/config/value.h"

namespace tubelet::dist {

// `dist_params = dict(backend='nccl', ...)` of an MMAction2 config. `timeout` (seconds; a
// Tubelet number where torch takes a timedelta) bounds the rendezvous and every collective,
// so a dead worker ends the others with an error instead of a hang.
struct DistParams {
  std::string backend = "nccl";  // mmcv's default
  std::optional<int> port;       // slurm only, as mmcv's _init_dist_slurm
  double timeout_s = 1800;       // torch's default_pg_timeout
};
DistParams read_dist_params(const Value& dist_params, const std::string& where = "dist_params");

struct DistInfo {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
};

// Reads the launcher's environment, meets the other processes and makes the default
// process group. `device` ("cpu" or "cuda") picks the backend: 'nccl' asked for a CPU run
// uses Gloo instead (NCCL cannot reduce CPU tensors; every MMAction2 config names nccl), and
// 'nccl' for a CUDA run on a LibTorch without NCCL is an error. Returns get_dist_info().
DistInfo init_dist(const std::string& launcher, const DistParams& params,
                   const std::string& device = "cpu");

// The backend init_dist uses for `backend` on `device`; "" with `note` explaining a
// fallback. Throws for an unknown backend or one this LibTorch lacks.
std::string resolve_backend(const std::string& backend, const std::string& device,
                            std::string* note = nullptr);

bool is_initialized();
// (0, 1, 0) when no process group was made, as mmcv's get_dist_info.
DistInfo get_dist_info();
// Every process waits for the others (dist.barrier()).
void barrier();

// The first host of a Slurm node list ("node[03-05,7],gpu1" -> "node03"), what mmcv gets
// from `scontrol show hostname $SLURM_NODELIST | head -n1`.
std::string first_slurm_host(const std::string& nodelist);

}  // namespace tubelet::dist
