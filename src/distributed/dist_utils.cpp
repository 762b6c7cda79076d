#include "tubelet/distributed/dist_utils.h"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

#include "tubelet/args.h"
#include "tubelet/distributed/process_group.h"

namespace tubelet::dist {

namespace {

std::string env(const char* name, const std::string& launcher) {
  const char* value = std::getenv(name);
  if (!value || !*value)
    throw std::runtime_error("distributed: --launcher " + launcher + " needs the environment " +
                             "variable " + name + ", which is not set");
  return value;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

int to_int(const std::string& text, const char* name) {
  try {
    size_t used = 0;
    int value = std::stoi(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw std::runtime_error(std::string("distributed: ") + name + "='" + text +
                           "' is not an integer");
}

struct Rendezvous {
  std::string host;
  int port = 0;
  DistInfo info;
};

// torchrun's environment (mmcv's _init_dist_pytorch with init_method env://).
Rendezvous pytorch_env() {
  const std::string l = "pytorch";
  Rendezvous r;
  r.info.rank = to_int(env("RANK", l), "RANK");
  r.info.world_size = to_int(env("WORLD_SIZE", l), "WORLD_SIZE");
  r.info.local_rank = to_int(env_or("LOCAL_RANK", std::to_string(r.info.rank)), "LOCAL_RANK");
  r.host = env("MASTER_ADDR", l);
  r.port = to_int(env("MASTER_PORT", l), "MASTER_PORT");
  return r;
}

// mmcv's _init_dist_slurm: the port from dist_params, else MASTER_PORT, else 29500; the
// address from MASTER_ADDR, else the node list's first host.
Rendezvous slurm_env(const DistParams& params) {
  const std::string l = "slurm";
  Rendezvous r;
  r.info.rank = to_int(env("SLURM_PROCID", l), "SLURM_PROCID");
  r.info.world_size = to_int(env("SLURM_NTASKS", l), "SLURM_NTASKS");
  r.info.local_rank = to_int(env_or("SLURM_LOCALID", std::to_string(r.info.rank)), "SLURM_LOCALID");
  r.port = params.port ? *params.port : to_int(env_or("MASTER_PORT", "29500"), "MASTER_PORT");
  r.host = env_or("MASTER_ADDR", "");
  if (r.host.empty()) r.host = first_slurm_host(env("SLURM_NODELIST", l));
  return r;
}

// mmcv's _init_dist_mpi: Open MPI's mpirun gives rank, size and local rank; the rendezvous
// still goes through MASTER_ADDR (required) and MASTER_PORT (default 29500).
Rendezvous mpi_env() {
  const std::string l = "mpi";
  Rendezvous r;
  r.info.rank = to_int(env("OMPI_COMM_WORLD_RANK", l), "OMPI_COMM_WORLD_RANK");
  r.info.world_size = to_int(env("OMPI_COMM_WORLD_SIZE", l), "OMPI_COMM_WORLD_SIZE");
  r.info.local_rank = to_int(env("OMPI_COMM_WORLD_LOCAL_RANK", l), "OMPI_COMM_WORLD_LOCAL_RANK");
  r.host = env("MASTER_ADDR", l);
  r.port = to_int(env_or("MASTER_PORT", "29500"), "MASTER_PORT");
  return r;
}

}  // namespace

DistParams read_dist_params(const Value& dist_params, const std::string& where) {
  DistParams p;
  if (dist_params.is_none()) return p;
  Args args(dist_params, "dist_params", where);
  p.backend = args.get("backend", p.backend);
  p.port = args.get<std::optional<int64_t>>("port", std::nullopt);
  p.timeout_s = args.get("timeout", p.timeout_s);
  if (p.timeout_s <= 0) throw args.error("timeout", "timeout must be a positive number of seconds");
  args.finish();
  return p;
}

std::string resolve_backend(const std::string& backend, const std::string& device,
                            std::string* note) {
  if (backend == "gloo") return "gloo";
  if (backend == "nccl") {
    if (device == "cpu") {
      if (note)
        *note =
            "dist_params.backend='nccl' reduces CUDA tensors only; this run is on the CPU, "
            "so it uses 'gloo'";
      return "gloo";
    }
#ifndef USE_C10D_NCCL
    throw std::runtime_error(
        "distributed: backend 'nccl' needs a LibTorch built with NCCL (USE_C10D_NCCL); this one "
        "has none. Use dist_params = dict(backend='gloo').");
#endif
    return "nccl";
  }
  if (backend == "mpi")
    throw std::runtime_error("distributed: backend 'mpi' is not supported; use 'gloo' or 'nccl'");
  throw std::runtime_error("distributed: unknown backend '" + backend +
                           "' (dist_params.backend: 'gloo' or 'nccl')");
}

DistInfo init_dist(const std::string& launcher, const DistParams& params,
                   const std::string& device) {
  if (launcher == "none") return DistInfo{};
  if (is_initialized()) throw std::logic_error("distributed: init_dist was already called");
  Rendezvous r;
  if (launcher == "pytorch")
    r = pytorch_env();
  else if (launcher == "slurm")
    r = slurm_env(params);
  else if (launcher == "mpi")
    r = mpi_env();
  else
    throw std::runtime_error("distributed: unknown launcher '" + launcher +
                             "' (none, pytorch, slurm or mpi)");
  if (r.info.world_size < 1 || r.info.rank < 0 || r.info.rank >= r.info.world_size)
    throw std::runtime_error("distributed: rank " + std::to_string(r.info.rank) +
                             " is not within a world of " + std::to_string(r.info.world_size));
  const std::string backend = resolve_backend(params.backend, device);
  const auto timeout =
      std::chrono::milliseconds(static_cast<int64_t>(params.timeout_s * 1000.0 + 0.5));
  ProcessGroupPtr group =
      backend == "gloo" ? new_gloo_group(r.host, r.port, r.info.rank, r.info.world_size, timeout)
                        : new_nccl_group(r.host, r.port, r.info.rank, r.info.world_size, timeout);
  set_default_group(group, r.info);
  return r.info;
}

std::string first_slurm_host(const std::string& nodelist) {
  // The first entry: up to the first comma outside brackets.
  size_t end = 0;
  int depth = 0;
  for (; end < nodelist.size(); ++end) {
    if (nodelist[end] == '[') ++depth;
    if (nodelist[end] == ']') --depth;
    if (nodelist[end] == ',' && depth == 0) break;
  }
  std::string first = nodelist.substr(0, end);
  const size_t open = first.find('[');
  if (open == std::string::npos) {
    if (first.empty()) throw std::runtime_error("distributed: SLURM_NODELIST is empty");
    return first;
  }
  // "node[03-05,7]" -> prefix "node" + the range list's first number, zero padding kept.
  size_t stop = open + 1;
  while (stop < first.size() && std::isdigit(static_cast<unsigned char>(first[stop]))) ++stop;
  if (stop == open + 1)
    throw std::runtime_error("distributed: cannot read SLURM_NODELIST '" + nodelist + "'");
  return first.substr(0, open) + first.substr(open + 1, stop - open - 1);
}

}  // namespace tubelet::dist
