// Python int (64-bit, overflow is an error) and float arithmetic.
#pragma once

#include <cstdint>

#include "config/python/operators.h"

namespace tubelet::python {

[[noreturn]] void integer_overflow(const Location& at);

int64_t int_add(int64_t a, int64_t b, const Location& at);
int64_t int_mul(int64_t a, int64_t b, const Location& at);
int64_t int_neg(int64_t a, const Location& at);

// a <op> b where both are int, bool or float (bools count as ints).
Value numeric_op(BinOp op, const Value& a, const Value& b, const Location& at);

// Exact comparison of numbers, also of an int with a float: -1, 0, 1; 2 if unordered (nan).
int compare_numbers(const Value& a, const Value& b);

// float -> int as Python's int(): truncates; inf and nan are errors.
int64_t float_to_int(double x, const Location& at);

// Python's round(): half to even. round(x) gives int, round(x, n) float (int for ints).
Value round_number(const Value& x, const Value* ndigits, const Location& at);

}  // namespace tubelet::python
