// ArgConverter<T>: turns a config Value into the C++ type a module asks for, or nullopt
// when the value has the wrong type. `name()` is what error messages say was expected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet {

template <class T>
struct ArgConverter;

template <>
struct ArgConverter<bool> {
  static std::string name() { return "bool"; }
  static std::optional<bool> from(const Value& v) {
    if (v.is_bool()) return v.as_bool();
    return std::nullopt;
  }
};

template <>
struct ArgConverter<int64_t> {
  static std::string name() { return "int"; }
  static std::optional<int64_t> from(const Value& v) {
    if (v.is_int()) return v.as_int();
    return std::nullopt;
  }
};

template <>
struct ArgConverter<int> {
  static std::string name() { return "int"; }
  static std::optional<int> from(const Value& v) {
    if (!v.is_int() || v.as_int() < INT32_MIN || v.as_int() > INT32_MAX) return std::nullopt;
    return static_cast<int>(v.as_int());
  }
};

template <>
struct ArgConverter<double> {
  static std::string name() { return "float"; }
  static std::optional<double> from(const Value& v) {
    if (v.is_float() || v.is_int()) return v.as_float();  // Python accepts an int for a float
    return std::nullopt;
  }
};

template <>
struct ArgConverter<std::string> {
  static std::string name() { return "str"; }
  static std::optional<std::string> from(const Value& v) {
    if (v.is_str()) return v.as_str();
    return std::nullopt;
  }
};

template <>
struct ArgConverter<Value> {
  static std::string name() { return "any value"; }
  static std::optional<Value> from(const Value& v) { return v; }
};

template <>
struct ArgConverter<Dict> {
  static std::string name() { return "dict"; }
  static std::optional<Dict> from(const Value& v) {
    if (v.is_dict()) return v.as_dict();
    return std::nullopt;
  }
};

// A list or a tuple of T.
template <class T>
struct ArgConverter<std::vector<T>> {
  static std::string name() { return "a list or tuple of " + ArgConverter<T>::name(); }
  static std::optional<std::vector<T>> from(const Value& v) {
    if (!v.is_sequence()) return std::nullopt;
    std::vector<T> out;
    for (const Value& item : v.as_list()) {
      std::optional<T> x = ArgConverter<T>::from(item);
      if (!x) return std::nullopt;
      out.push_back(std::move(*x));
    }
    return out;
  }
};

// None or T.
template <class T>
struct ArgConverter<std::optional<T>> {
  static std::string name() { return ArgConverter<T>::name() + " or None"; }
  static std::optional<std::optional<T>> from(const Value& v) {
    std::optional<std::optional<T>> out;
    if (v.is_none()) {
      out.emplace(std::nullopt);
    } else if (std::optional<T> x = ArgConverter<T>::from(v)) {
      out.emplace(std::move(x));
    }
    return out;
  }
};

}  // namespace tubelet
