#include "config/python/budget.h"

namespace tubelet::python {

void fail(const std::string& message, const Location& at) {
  throw ConfigError(message, at);
}

void Budget::charge(int64_t steps, const Location& at) {
  if (steps < 0 || steps > limits_.max_steps - steps_)
    fail("evaluation step limit exceeded (max_steps " + std::to_string(limits_.max_steps) +
             "); the config computes too much",
         at);
  steps_ += steps;
}

void Budget::charge_bytes(uint64_t bytes, const Location& at) {
  uint64_t steps = 1 + bytes / 16;
  charge(steps > static_cast<uint64_t>(INT64_MAX) ? -1 : static_cast<int64_t>(steps), at);
}

void Budget::check_size(int64_t size, const char* what, const Location& at) const {
  if (size < 0 || size > limits_.max_container)
    fail(std::string("MemoryError: ") + what + " too large (limit " +
             std::to_string(limits_.max_container) + " elements)",
         at);
}

DepthGuard::DepthGuard(int& depth, int max_depth, const Location& at) : depth_(depth) {
  if (depth_ >= max_depth)
    fail("nesting too deep (limit " + std::to_string(max_depth) + " levels)", at);
  ++depth_;
}

}  // namespace tubelet::python
