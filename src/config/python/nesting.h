// A static upper bound of how deeply the value of an expression nests containers.
//
// Values can nest deeper than any one expression (`a = [a]` repeated), and everything that
// walks a value (repr, ==, hashing, destruction) recurses. The evaluator keeps, for every
// global name, a bound of its value's nesting and refuses statements whose bound exceeds
// EvalLimits::max_value_depth, before evaluating them.
#pragma once

#include <functional>
#include <string>

#include "config/python/ast.h"

namespace tubelet::python {

using GlobalBound = std::function<int(const std::string& name)>;

// The bound for the value of `e`; `worst` is raised to the largest bound of any
// sub-expression (intermediate values must stay within the limit too).
int nesting_bound(const Expr& e, const GlobalBound& globals, int& worst);

}  // namespace tubelet::python
