// USE_C10D_GLOO makes ProcessGroupGloo.hpp declare the Gloo group (Debian's libgloo-dev has
// the headers; libtorch_cpu has the code). Only this file needs it, and torch/torch.h of
// the precompiled header does not look at it. LibTorch's CMake package defines it too, and
// USE_C10D_NCCL where it has NCCL. A pip torch ships no Gloo headers: Debian's serve, for
// declarations only (this file calls c10d, never Gloo, and the group holds Gloo's objects
// through pointers). A build configured with TUBELET_WITH_GLOO=OFF (no Gloo headers at all, as
// on scripts/gpu-check.sh's GPU image) defines TUBELET_NO_GLOO here and has NCCL groups only.
#ifndef TUBELET_NO_GLOO
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#endif
#include "tubelet/distributed/process_group.h"

#ifndef TUBELET_NO_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <mutex>
#include <stdexcept>

namespace tubelet::dist {

namespace {

struct DefaultGroup {
  std::mutex mutex;
  ProcessGroupPtr group;
  DistInfo info;
};

// Never destroyed: a group's destructor joins its worker threads, which can wait on a dead
// peer; a process that ends (or fails) must not hang in static destruction.
DefaultGroup& default_slot() {
  static auto* slot = new DefaultGroup;
  return *slot;
}

c10::intrusive_ptr<c10d::Store> make_store(const std::string& host, int port, int rank,
                                           int world_size, std::chrono::milliseconds timeout) {
  if (port <= 0 || port > 65535)
    throw std::invalid_argument("distributed: MASTER_PORT " + std::to_string(port) +
                                " is not a TCP port");
  c10d::TCPStoreOptions options;
  options.port = static_cast<uint16_t>(port);
  options.isServer = rank == 0;
  options.numWorkers = static_cast<size_t>(world_size);
  options.waitWorkers = true;
  options.timeout = timeout;
  try {
    return c10::make_intrusive<c10d::TCPStore>(host, options);
  } catch (const std::exception& e) {
    throw std::runtime_error("distributed: rank " + std::to_string(rank) + " of " +
                             std::to_string(world_size) + " could not meet the others at " + host +
                             ":" + std::to_string(port) + " (TCPStore): " + e.what());
  }
}

#ifndef TUBELET_NO_GLOO
std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& host) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (host == "127.0.0.1" || host == "localhost")
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}
#endif

}  // namespace

ProcessGroupPtr default_group() {
  auto& slot = default_slot();
  std::lock_guard<std::mutex> lock(slot.mutex);
  if (!slot.group)
    throw std::logic_error("distributed: no process group (init_dist was not called)");
  return slot.group;
}

void set_default_group(ProcessGroupPtr group, const DistInfo& info) {
  auto& slot = default_slot();
  std::lock_guard<std::mutex> lock(slot.mutex);
  slot.group = std::move(group);
  slot.info = info;
}

bool is_initialized() {
  auto& slot = default_slot();
  std::lock_guard<std::mutex> lock(slot.mutex);
  return static_cast<bool>(slot.group);
}

DistInfo get_dist_info() {
  auto& slot = default_slot();
  std::lock_guard<std::mutex> lock(slot.mutex);
  return slot.group ? slot.info : DistInfo{};
}

bool gloo_available() {
#ifdef TUBELET_NO_GLOO
  return false;
#else
  return true;
#endif
}

ProcessGroupPtr new_gloo_group(const std::string& host, int port, int rank, int world_size,
                               std::chrono::milliseconds timeout) {
#ifdef TUBELET_NO_GLOO
  (void)host, (void)port, (void)world_size, (void)timeout;
  throw std::runtime_error("distributed: rank " + std::to_string(rank) +
                           ": this Tubelet was built without Gloo (TUBELET_WITH_GLOO=OFF), so it "
                           "has no CPU process groups; use dist_params = dict(backend='nccl') "
                           "on GPUs");
#else
  auto store = make_store(host, port, rank, world_size, timeout);
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  options->devices.push_back(gloo_device(host));
  try {
    return c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, world_size, options);
  } catch (const std::exception& e) {
    throw std::runtime_error("distributed: rank " + std::to_string(rank) +
                             " could not connect the Gloo group: " + e.what());
  }
#endif
}

ProcessGroupPtr new_nccl_group(const std::string& host, int port, int rank, int world_size,
                               std::chrono::milliseconds timeout) {
#ifdef USE_C10D_NCCL
  auto store = make_store(host, port, rank, world_size, timeout);
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = timeout;
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, world_size, options);
#else
  (void)host, (void)port, (void)rank, (void)world_size, (void)timeout;
  throw std::runtime_error(
      "distributed: backend 'nccl' needs a LibTorch built with NCCL (USE_C10D_NCCL); this "
      "one has none. Use dist_params = dict(backend='gloo').");
#endif
}

void wait_for(const c10::intrusive_ptr<c10d::Work>& work, const std::string& what,
              const ProcessGroup& group) {
  try {
    work->wait();
  } catch (const std::exception& e) {
    throw std::runtime_error("distributed: " + what + " failed on rank " +
                             std::to_string(group.getRank()) + " of " +
                             std::to_string(group.getSize()) +
                             " (another worker died, failed or timed out): " + e.what());
  }
}

void barrier() {
  auto group = default_group();
  wait_for(group->barrier(), "barrier", *group);
}

}  // namespace tubelet::dist
