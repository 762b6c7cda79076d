// Python's str.format for the name templates a config gives (filename_tmpl, clipname_tmpl),
// with the config interpreter's rules and default limits, for the code that fills them in.
#pragma once

#include <string>

#include "tubelet/config/value.h"

namespace tubelet {

// fmt.format(*args): {}, {0}, {0[key]}, !r/!s and format specs ("img_{:05}.jpg"). A bad
// template throws as the config interpreter does.
std::string python_format(const std::string& fmt, const List& args);

}  // namespace tubelet
