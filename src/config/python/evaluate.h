// Evaluates the Python subset that MMAction2 config files are written in.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tubelet/config/value.h"

namespace tubelet::python {

// Bounds that keep hostile input (a fuzzer's, a typo's) from running away.
struct EvalLimits {
  int max_depth = 200;                 // nesting of expressions and brackets
  int64_t max_steps = 20'000'000;      // comprehension iterations + produced elements
  int64_t max_container = 10'000'000;  // elements of one list/tuple/dict/str
  int max_value_depth = 1000;          // nesting of the values built (bounds recursion in
                                       // repr, ==, hashing and destruction of the results)
};

// Runs the module `source` (already text-substituted by the loader) and returns its
// namespace: every top-level name in first-assignment order, dunder names included (the
// caller filters). `filename` is used in every Location and error message.
// Throws ConfigError "file:line:col: message" for syntax errors, unsupported constructs
// ("unsupported: import statement") and evaluation errors ("NameError: name 'x' is not defined").
Dict evaluate_module(std::string_view source, std::shared_ptr<const std::string> filename,
                     const EvalLimits& limits = {});

// Evaluates one expression (used by tests and by cfg-options parsing helpers).
Value evaluate_expression(std::string_view source, std::shared_ptr<const std::string> filename,
                          const EvalLimits& limits = {});

}  // namespace tubelet::python
