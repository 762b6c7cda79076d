#include "tubelet/engine/hook.h"

#include "tubelet/engine/runner.h"

namespace tubelet {

bool every_n_epochs(const Runner& runner, int64_t n) {
  return n > 0 && (runner.epoch() + 1) % n == 0;
}

bool every_n_inner_iters(const Runner& runner, int64_t n) {
  return n > 0 && (runner.inner_iter() + 1) % n == 0;
}

bool every_n_iters(const Runner& runner, int64_t n) {
  return n > 0 && (runner.iter() + 1) % n == 0;
}

bool end_of_epoch(const Runner& runner) {
  return runner.inner_iter() + 1 == runner.data_loader().size();
}

bool is_last_epoch(const Runner& runner) {
  return runner.has_max_epochs() && runner.epoch() + 1 == runner.max_epochs();
}

bool is_last_iter(const Runner& runner) {
  return runner.iter() + 1 == runner.max_iters();
}

}  // namespace tubelet
