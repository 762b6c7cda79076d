// The c10d process group the collectives of a distributed run go through. init_dist makes
// the default one; tests and tools may make their own (several ranks in one process work
// too, each in its own thread).
#pragma once

#include <torch/version.h>

#include <chrono>
#include <string>

#include "tubelet/distributed/dist_utils.h"

// LibTorch 2 split the process group into a dispatcher (c10d::ProcessGroup) and backends
// (c10d::Backend: ProcessGroupGloo, ProcessGroupNCCL) with the same collectives; ours holds
// the backend itself.
#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
namespace tubelet::dist {
using ProcessGroup = c10d::Backend;
}
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
namespace tubelet::dist {
using ProcessGroup = c10d::ProcessGroup;
}
#endif

namespace tubelet::dist {

using ProcessGroupPtr = c10::intrusive_ptr<ProcessGroup>;

// The group init_dist made; throws when there is none.
ProcessGroupPtr default_group();
void set_default_group(ProcessGroupPtr group, const DistInfo& info);

// False in a build without Gloo's headers (TUBELET_WITH_GLOO=OFF), where new_gloo_group throws.
bool gloo_available();

// A Gloo group of `world_size` ranks meeting at host:port, where rank 0 serves LibTorch's
// TCPStore. `timeout` bounds the rendezvous and each collective.
ProcessGroupPtr new_gloo_group(const std::string& host, int port, int rank, int world_size,
                               std::chrono::milliseconds timeout);
// The same with NCCL; throws on a LibTorch built without it.
ProcessGroupPtr new_nccl_group(const std::string& host, int port, int rank, int world_size,
                               std::chrono::milliseconds timeout);

// Waits for a collective, turning a peer's death or a timeout into an error that says
// which collective failed and what usually causes it.
void wait_for(const c10::intrusive_ptr<c10d::Work>& work, const std::string& what,
              const ProcessGroup& group);

}  // namespace tubelet::dist
