// Indexing, slicing and iteration of config values.
#pragma once

#include <functional>

#include "config/python/budget.h"
#include "tubelet/config/value.h"

namespace tubelet::python {

// Python's len(); TypeError for values without one.
int64_t length(const Value& v, const Location& at);

// obj[index] for list, tuple, str, range and dict.
Value subscript(const Value& obj, const Value& index, Budget& budget, const Location& at);

// obj[lower:upper:step]; a missing part is None.
Value slice(const Value& obj, const Value& lower, const Value& upper, const Value& step,
            Budget& budget, const Location& at);

// Calls f for each item Python's `for` yields: elements, characters, dict keys, range ints.
// Charges one step per item.
void for_each(const Value& iterable, Budget& budget, const Location& at,
              const std::function<void(const Value&)>& f);

// The items of an iterable as a vector (list(x)).
List to_list(const Value& iterable, Budget& budget, const Location& at);

// Wraps `items` as a list or tuple after checking its size.
Value make_list(List items, bool tuple, Budget& budget, const Location& at);

}  // namespace tubelet::python
