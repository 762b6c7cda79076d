// The config value tree: what an MMAction2 config file evaluates to.
//
// A Value is one of Python's config types: None, bool, int, float, str, list,
// tuple, dict (ordered, any hashable key) or range. Containers are shared
// copy-on-write, so copying a Value is cheap and behaves like a deep copy.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tubelet/config/error.h"

namespace tubelet {

class Value;
class Dict;
using List = std::vector<Value>;

// Python's range(start, stop, step), kept as a value (mmcv keeps `gpu_ids = range(0, 1)`).
struct Range {
  int64_t start = 0;
  int64_t stop = 0;
  int64_t step = 1;
  int64_t size() const;  // saturates at INT64_MAX
  // Element i (0 <= i < size()); computed modulo 2**64, so no intermediate overflow.
  int64_t at(int64_t i) const {
    return static_cast<int64_t>(static_cast<uint64_t>(start) +
                                static_cast<uint64_t>(i) * static_cast<uint64_t>(step));
  }
};

class Value {
 public:
  enum class Type { None, Bool, Int, Float, Str, List, Tuple, Dict, Range };

  Value() = default;  // None
  Value(std::nullptr_t) {}
  Value(bool b) : type_(Type::Bool), int_(b) {}
  Value(int v) : type_(Type::Int), int_(v) {}
  Value(int64_t v) : type_(Type::Int), int_(v) {}
  Value(double v) : type_(Type::Float), float_(v) {}
  Value(const char* s) : Value(std::string(s)) {}
  Value(std::string s);
  Value(Dict d);
  Value(Range r) : type_(Type::Range), range_(r) {}
  static Value list(List items = {});
  static Value tuple(List items = {});

  Type type() const { return type_; }
  bool is_none() const { return type_ == Type::None; }
  bool is_bool() const { return type_ == Type::Bool; }
  bool is_int() const { return type_ == Type::Int; }
  bool is_float() const { return type_ == Type::Float; }
  bool is_number() const { return is_int() || is_float() || is_bool(); }
  bool is_str() const { return type_ == Type::Str; }
  bool is_list() const { return type_ == Type::List; }
  bool is_tuple() const { return type_ == Type::Tuple; }
  bool is_sequence() const { return is_list() || is_tuple(); }  // list or tuple
  bool is_dict() const { return type_ == Type::Dict; }
  bool is_range() const { return type_ == Type::Range; }

  // Typed access; each throws ConfigError naming the expected and actual type.
  bool as_bool() const;
  int64_t as_int() const;   // bool is accepted, as Python's int(True) is
  double as_float() const;  // int and bool are accepted
  const std::string& as_str() const;
  const List& as_list() const;  // list or tuple
  List& mutable_list();
  const Dict& as_dict() const;
  Dict& mutable_dict();
  const Range& as_range() const { return range_; }

  // Python's name for the type: 'NoneType', 'bool', 'int', 'float', 'str', ...
  const char* type_name() const;
  static const char* type_name(Type t);

  // Python's `==`: 1 == 1.0 == True; list != tuple.
  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

  // Where the value was written; empty for values made in code.
  const Location& location() const { return loc_; }
  Value& at(Location loc) {
    loc_ = std::move(loc);
    return *this;
  }

 private:
  Type type_ = Type::None;
  int64_t int_ = 0;
  double float_ = 0;
  Range range_;
  std::shared_ptr<const std::string> str_;
  std::shared_ptr<List> list_;
  std::shared_ptr<Dict> dict_;
  Location loc_;
};

// Ordered dict with Python's key semantics (insertion order; 1, 1.0 and True are one key).
class Dict {
 public:
  using Item = std::pair<Value, Value>;

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const std::vector<Item>& items() const { return items_; }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

  const Value* find(const Value& key) const;
  Value* find(const Value& key);
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // String keys without building a Value (and without ambiguity for literals).
  const Value* find(const char* key) const { return find(std::string_view(key)); }
  Value* find(const char* key) { return find(std::string_view(key)); }
  const Value* find(const std::string& key) const { return find(std::string_view(key)); }
  Value* find(const std::string& key) { return find(std::string_view(key)); }
  bool contains(const Value& key) const { return find(key) != nullptr; }
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  bool contains(const char* key) const { return find(key) != nullptr; }
  bool contains(const std::string& key) const { return find(key) != nullptr; }
  // Throws ConfigError("KeyError: ...") when absent.
  const Value& at(std::string_view key) const;

  // Replaces in place if present (keeping its position), else appends.
  void set(const Value& key, Value value);
  void set(std::string_view key, Value value) { set(Value(std::string(key)), std::move(value)); }
  void set(const char* key, Value value) { set(std::string_view(key), std::move(value)); }
  void set(const std::string& key, Value value) { set(std::string_view(key), std::move(value)); }
  bool erase(const Value& key);
  bool erase(std::string_view key) { return erase(Value(std::string(key))); }
  bool erase(const char* key) { return erase(std::string_view(key)); }
  bool erase(const std::string& key) { return erase(std::string_view(key)); }

  bool all_string_keys() const;

 private:
  std::vector<Item> items_;
  std::unordered_map<std::string, size_t> index_;  // hash_key(key) -> position in items_
};

// Python's truthiness: None, False, 0, 0.0, '' and empty containers/ranges are false.
bool is_truthy(const Value& v);

// The canonical text of a hashable key; throws ConfigError("unhashable type: 'list'").
std::string hash_key(const Value& key);

// Python's repr() of a value, e.g. "{'a': (1, 2.0), 'b': None}".
std::string repr(const Value& v);
// Python's repr() of a float: shortest round-trip digits, '1e-05', '100.0', 'inf'.
std::string float_repr(double x);

}  // namespace tubelet
