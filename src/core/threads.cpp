#include "tubelet/threads.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <thread>

namespace tubelet {

int configure_threads(const Dict* cfg) {
  int64_t wanted = 0;
  if (cfg) {
    if (const Value* n = cfg->find("num_threads"); n && !n->is_none()) {
      if (!n->is_int() || n->as_int() < 1)
        throw ConfigError("num_threads must be a positive int, got " + repr(*n), n->location());
      wanted = n->as_int();
    }
  }
  if (wanted == 0) {
    if (const char* env = std::getenv("OMP_NUM_THREADS")) wanted = std::atoi(env);
  }
  if (wanted <= 0) wanted = std::max(1u, std::thread::hardware_concurrency());
  if (at::get_num_threads() != wanted) at::set_num_threads(static_cast<int>(wanted));
  return at::get_num_threads();
}

}  // namespace tubelet
