// Args: how a module reads its config arguments.
//
// A registry hands each module an Args holding its config dict (without `type`). The module
// reads what it knows, with defaults; Args records each read, and finish() reports any
// argument nobody read, naming the module, the key and where in the config it came from.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tubelet/args_convert.h"
#include "tubelet/config/value.h"

namespace tubelet {

class Args {
 public:
  // `module` is the registered type name ("ResNet"); `path` is where the dict sits in the
  // config ("model.backbone"); the dict's own location names the file.
  Args(Value cfg, std::string module, std::string path);

  const std::string& module() const { return module_; }
  const std::string& path() const { return path_; }

  bool has(std::string_view key) const;
  // The raw value (nullptr when absent); marks the key as read.
  const Value* find(std::string_view key);

  // Reads `key` converted to T, or `fallback` when absent. T may be bool, int, int64_t,
  // double, std::string, Value, Dict, std::vector<int64_t|double|std::string|Value>, or
  // std::optional<any of those> (None gives nullopt).
  template <class T>
  T get(std::string_view key, T fallback);
  std::string get(std::string_view key, const char* fallback) {
    return get<std::string>(key, std::string(fallback));
  }
  // Reads a key that must be present.
  template <class T>
  T required(std::string_view key);

  // Throws ConfigError for the first argument no one read. Call once the module is built.
  void finish() const;

  // "model.backbone in configs/x.py:3:12" — for messages about this module.
  std::string where() const;
  // A ConfigError about argument `key`, e.g. "ResNet: argument 'depth' must be one of ...".
  ConfigError error(std::string_view key, const std::string& message) const;

 private:
  template <class T>
  T convert(std::string_view key, const Value& v) const;

  Value cfg_;
  std::string module_;
  std::string path_;
  mutable std::set<std::string, std::less<>> read_;
};

template <class T>
T Args::get(std::string_view key, T fallback) {
  const Value* v = find(key);
  if (!v) return fallback;
  return convert<T>(key, *v);
}

template <class T>
T Args::required(std::string_view key) {
  const Value* v = find(key);
  if (!v) throw error(key, "missing required argument '" + std::string(key) + "'");
  return convert<T>(key, *v);
}

template <class T>
T Args::convert(std::string_view key, const Value& v) const {
  std::optional<T> out = ArgConverter<T>::from(v);
  if (!out)
    throw error(key, "argument '" + std::string(key) + "' expects " + ArgConverter<T>::name() +
                         ", got " + v.type_name() + " " + repr(v));
  return std::move(*out);
}

}  // namespace tubelet
