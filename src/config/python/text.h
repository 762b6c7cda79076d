// UTF-8 helpers (str values are UTF-8; Python counts code points) and bounded str()/repr().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/python/budget.h"
#include "tubelet/config/value.h"

namespace tubelet::python {

bool is_ascii(std::string_view s);
// Number of code points of valid UTF-8.
int64_t utf8_length(std::string_view s);
// Byte offset where each code point starts, followed by s.size().
std::vector<size_t> utf8_offsets(std::string_view s);
// s.find(needle, from) in linear time (std::string::find is O(n * m) in the worst case,
// which a hostile config could turn into a hang).
size_t find_text(std::string_view s, std::string_view needle, size_t from = 0);
// Appends code point `cp` as UTF-8.
void append_utf8(std::string& out, uint32_t cp);
// Offset of the first byte that is not part of valid UTF-8, or npos.
size_t find_invalid_utf8(std::string_view s);

// Python's repr() and str(), refusing results beyond max_container and charging the walk.
std::string repr_of(const Value& v, Budget& budget, const Location& at);
std::string str_of(const Value& v, Budget& budget, const Location& at);

}  // namespace tubelet::python
