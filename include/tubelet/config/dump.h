// Writing a config tree back out: as JSON (the encoding the golden files use) or as
// Python config syntax that loads back to the same tree.
#pragma once

#include <string>

#include "tubelet/config/value.h"

namespace tubelet {

// JSON laid out as Python's `json.dumps(obj, indent=indent)` (ASCII, keys in order), with
// Python's types kept apart: {"__tuple__": [...]}, {"__dict__": [[k, v], ...]} for a dict
// with a non-string key, {"__range__": [start, stop, step]}, {"__float__": "inf"|"-inf"|"nan"}.
// indent < 0 writes one line.
std::string to_json(const Value& v, int indent = 1);

// Python config text: one `name = value` assignment per top-level key, dicts with
// identifier keys written as dict(...), long values broken over indented lines.
std::string to_python_config(const Dict& cfg);

// Python expression text of one value (wrapped to fit `width` columns where possible).
std::string to_python(const Value& v, int indent = 0, int width = 79);

// Parses JSON text into a Value (objects become dicts, arrays lists), as mmcv loads a .json
// config. Throws ConfigError with the file, line and column of a syntax error.
Value from_json(const std::string& text, const std::string& filename = "<json>");

// Parses YAML text into a Value (mappings become dicts, sequences lists), as mmcv loads a
// .yaml config.
Value from_yaml(const std::string& text, const std::string& filename = "<yaml>");
// False in a build without yaml-cpp (TUBELET_WITH_YAML=OFF), whose from_yaml always throws.
bool yaml_available();

}  // namespace tubelet
