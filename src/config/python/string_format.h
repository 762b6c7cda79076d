// Python's string formatting: format(value, spec), `fmt % args` and str.format().
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/python/budget.h"
#include "tubelet/config/value.h"

namespace tubelet::python {

using Keywords = std::vector<std::pair<std::string, Value>>;

// format(value, spec): the format-spec mini-language ([[fill]align][sign][z][#][0][width]
// [,|_][.precision][type]) for str, int, bool and float; other types accept only ''.
std::string format_value(const Value& v, std::string_view spec, Budget& budget, const Location& at);

// printf-style `fmt % args` (%s %r %d %i %f %e %g %x %o %c %%, flags, width, precision,
// %(name)s with a dict).
std::string percent_format(const std::string& fmt, const Value& args, Budget& budget,
                           const Location& at);

// fmt.format(*args, **kwargs) with {}, {0}, {name}, {0[key]}, !r/!s and format specs.
std::string str_format(const std::string& fmt, const List& args, const Keywords& kwargs,
                       Budget& budget, const Location& at);

}  // namespace tubelet::python
