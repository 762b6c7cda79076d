// The builtin functions and methods a config may call.
#pragma once

#include <string>
#include <string_view>

#include "config/python/budget.h"
#include "config/python/string_format.h"
#include "tubelet/config/value.h"

namespace tubelet::python {

struct CallArgs {
  List positional;
  Keywords keywords;  // in call order; names are unique
  Location at;        // the call, for errors and for the location of the result
};

// Whether `name` is a builtin the evaluator can call (dict, range, len, ...).
bool is_builtin(std::string_view name);
// "dict, range, len, ..." for error messages.
const char* builtin_list();

Value call_builtin(std::string_view name, const CallArgs& args, Budget& budget);

// self.name(args) for the few dict and str methods configs use.
Value call_method(const Value& self, std::string_view name, const CallArgs& args, Budget& budget);

// Helpers shared by builtins and methods: argument count and keyword checks.
void check_arity(std::string_view fn, const CallArgs& args, size_t min, size_t max);
void check_no_keywords(std::string_view fn, const CallArgs& args);
// The keyword argument `name`, or null; raises TypeError for any keyword not in `allowed`.
const Value* keyword(std::string_view fn, const CallArgs& args, std::string_view name);
void check_keywords(std::string_view fn, const CallArgs& args,
                    std::initializer_list<std::string_view> allowed);

}  // namespace tubelet::python
