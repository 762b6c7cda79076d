// Runs one function per rank, each in its own thread with its own Gloo group over loopback:
// a distributed run inside one test process.
#pragma once

#include <exception>
#include <functional>
#include <thread>
#include <vector>

#include "distributed/loopback_port.h"
#include "tubelet/distributed/process_group.h"

namespace tubelet::test {

// Rethrows the first rank's exception after every thread ended.
inline void run_ranks(int world_size, const std::function<void(int, dist::ProcessGroupPtr)>& fn,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const int port = free_loopback_port();
  std::vector<std::exception_ptr> errors(static_cast<size_t>(world_size));
  std::vector<std::thread> threads;
  for (int rank = 0; rank < world_size; ++rank)
    threads.emplace_back([&, rank] {
      try {
        // The others connect once rank 0's store listens (a client that comes too early
        // retries a second later).
        if (rank > 0) std::this_thread::sleep_for(std::chrono::milliseconds(30));
        fn(rank, dist::new_gloo_group("127.0.0.1", port, rank, world_size, timeout));
      } catch (...) {
        errors[static_cast<size_t>(rank)] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace tubelet::test
