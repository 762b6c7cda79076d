// Python's operators on config values: arithmetic, comparison, truthiness.
#pragma once

#include "config/python/budget.h"
#include "tubelet/config/value.h"

namespace tubelet::python {

enum class BinOp { Add, Sub, Mul, Div, FloorDiv, Mod, Pow, LShift, RShift, BitAnd, BitOr, BitXor };
enum class UnaryOp { Neg, Pos, Invert, Not };
enum class CmpOp { Eq, NotEq, Lt, LtE, Gt, GtE, In, NotIn, Is, IsNot };

const char* symbol(BinOp op);
const char* symbol(CmpOp op);

// a <op> b with Python's semantics; errors are raised at `at`.
Value binary_op(BinOp op, const Value& a, const Value& b, Budget& budget, const Location& at);
Value unary_op(UnaryOp op, const Value& v, const Location& at);
bool compare(CmpOp op, const Value& a, const Value& b, Budget& budget, const Location& at);

// Python's `==`, charging the elements it visits.
bool equal(const Value& a, const Value& b, Budget& budget, const Location& at);
// Python's `<` (TypeError for unordered types).
bool less(const Value& a, const Value& b, Budget& budget, const Location& at);

// Checks that `key` can be a dict key (TypeError "unhashable type" otherwise) and charges
// the cost of hashing it: strings by their length, tuples by their items.
void check_key(const Value& key, Budget& budget, const Location& at);
// Charges the cost of copying a dict, whose keys are hashed again.
void charge_dict_copy(const Dict& d, Budget& budget, const Location& at);

// Python's `x in container`.
bool contains(const Value& container, const Value& x, Budget& budget, const Location& at);

}  // namespace tubelet::python
