// Errors and resource accounting shared by the lexer, parser and evaluator.
#pragma once

#include <cstdint>
#include <string>

#include "config/python/evaluate.h"

namespace tubelet::python {

// Throws ConfigError(message, at). Every error of the evaluator goes through here.
[[noreturn]] void fail(const std::string& message, const Location& at);

// Counts work against EvalLimits so that hostile input cannot run away: every loop over
// user data charges its iterations, every container built checks its size.
class Budget {
 public:
  explicit Budget(const EvalLimits& limits) : limits_(limits) {}
  const EvalLimits& limits() const { return limits_; }

  void charge(int64_t steps, const Location& at);
  // Byte work (copying, comparing, hashing strings) is cheap: one step per 16 bytes.
  void charge_bytes(uint64_t bytes, const Location& at);
  // Throws MemoryError when a container of `size` elements (or a str of `size` bytes) would
  // exceed max_container.
  void check_size(int64_t size, const char* what, const Location& at) const;

 private:
  const EvalLimits& limits_;
  int64_t steps_ = 0;
};

// Counts one level of recursion and throws "nesting too deep" past max_depth.
class DepthGuard {
 public:
  DepthGuard(int& depth, int max_depth, const Location& at);
  ~DepthGuard() { --depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  int& depth_;
};

}  // namespace tubelet::python
