#include "tubelet/config/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace tubelet {

namespace {

const std::string kNoFile;

ConfigError type_error(const Value& v, const char* expected) {
  return ConfigError(std::string("expected ") + expected + ", got " + v.type_name() + " " + repr(v),
                     v.location());
}

}  // namespace

const std::string& Location::filename() const {
  return file ? *file : kNoFile;
}

std::string Location::str() const {
  if (!file) return "";
  if (line <= 0) return *file;
  return *file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

Location advance(Location start, std::string_view text, size_t offset) {
  if (start.line <= 0) start.line = start.column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++start.line;
      start.column = 1;
    } else {
      ++start.column;
    }
  }
  return start;
}

ConfigError::ConfigError(const std::string& message, Location where)
    : std::runtime_error(where.known() ? where.str() + ": " + message : message),
      message_(message),
      where_(std::move(where)) {}

int64_t Range::size() const {
  // Unsigned: stop - start overflows int64 for range(-2**62, 2**62), and -step for INT64_MIN.
  uint64_t span, stride;
  if (step > 0 && start < stop) {
    span = static_cast<uint64_t>(stop) - static_cast<uint64_t>(start);
    stride = static_cast<uint64_t>(step);
  } else if (step < 0 && start > stop) {
    span = static_cast<uint64_t>(start) - static_cast<uint64_t>(stop);
    stride = 0 - static_cast<uint64_t>(step);
  } else {
    return 0;
  }
  uint64_t n = (span - 1) / stride + 1;
  return n > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(n);
}

Value::Value(std::string s)
    : type_(Type::Str), str_(std::make_shared<const std::string>(std::move(s))) {}

Value::Value(Dict d) : type_(Type::Dict), dict_(std::make_shared<Dict>(std::move(d))) {}

Value Value::list(List items) {
  Value v;
  v.type_ = Type::List;
  v.list_ = std::make_shared<List>(std::move(items));
  return v;
}

Value Value::tuple(List items) {
  Value v = list(std::move(items));
  v.type_ = Type::Tuple;
  return v;
}

bool Value::as_bool() const {
  if (!is_bool()) throw type_error(*this, "bool");
  return int_ != 0;
}

int64_t Value::as_int() const {
  if (!is_int() && !is_bool()) throw type_error(*this, "int");
  return int_;
}

double Value::as_float() const {
  if (is_float()) return float_;
  if (is_int() || is_bool()) return static_cast<double>(int_);
  throw type_error(*this, "float");
}

const std::string& Value::as_str() const {
  if (!is_str()) throw type_error(*this, "str");
  return *str_;
}

const List& Value::as_list() const {
  if (!is_sequence()) throw type_error(*this, "list or tuple");
  return *list_;
}

List& Value::mutable_list() {
  if (!is_sequence()) throw type_error(*this, "list or tuple");
  if (list_.use_count() > 1) list_ = std::make_shared<List>(*list_);
  return *list_;
}

const Dict& Value::as_dict() const {
  if (!is_dict()) throw type_error(*this, "dict");
  return *dict_;
}

Dict& Value::mutable_dict() {
  if (!is_dict()) throw type_error(*this, "dict");
  if (dict_.use_count() > 1) dict_ = std::make_shared<Dict>(*dict_);
  return *dict_;
}

const char* Value::type_name(Type t) {
  switch (t) {
    case Type::None:
      return "NoneType";
    case Type::Bool:
      return "bool";
    case Type::Int:
      return "int";
    case Type::Float:
      return "float";
    case Type::Str:
      return "str";
    case Type::List:
      return "list";
    case Type::Tuple:
      return "tuple";
    case Type::Dict:
      return "dict";
    case Type::Range:
      return "range";
  }
  return "?";
}

const char* Value::type_name() const {
  return type_name(type_);
}

namespace {

// int == float exactly, as Python compares them (2**53 + 1 != float(2**53)).
bool int_equals_float(int64_t i, double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;  // nan, big
  return d == std::trunc(d) && static_cast<int64_t>(d) == i;
}

}  // namespace

bool Value::operator==(const Value& o) const {
  if (is_number() && o.is_number()) {
    if (is_float() && o.is_float()) return float_ == o.float_;
    if (is_float()) return int_equals_float(o.int_, float_);
    if (o.is_float()) return int_equals_float(int_, o.float_);
    return int_ == o.int_;
  }
  if (type_ != o.type_) return false;
  switch (type_) {
    case Type::None:
      return true;
    case Type::Str:
      return *str_ == *o.str_;
    case Type::List:
    case Type::Tuple:
      return list_ == o.list_ || *list_ == *o.list_;
    case Type::Dict: {
      if (dict_ == o.dict_) return true;
      if (dict_->size() != o.dict_->size()) return false;
      for (const auto& [k, v] : *dict_) {
        const Value* other = o.dict_->find(k);
        if (!other || *other != v) return false;
      }
      return true;
    }
    case Type::Range: {
      // Python compares ranges as the sequences they produce.
      int64_t n = range_.size();
      if (n != o.range_.size()) return false;
      if (n == 0) return true;
      if (range_.start != o.range_.start) return false;
      return n == 1 || range_.step == o.range_.step;
    }
    default:
      return false;
  }
}

bool is_truthy(const Value& v) {
  switch (v.type()) {
    case Value::Type::None:
      return false;
    case Value::Type::Bool:
    case Value::Type::Int:
      return v.as_int() != 0;
    case Value::Type::Float:
      return v.as_float() != 0.0;
    case Value::Type::Str:
      return !v.as_str().empty();
    case Value::Type::List:
    case Value::Type::Tuple:
      return !v.as_list().empty();
    case Value::Type::Dict:
      return !v.as_dict().empty();
    case Value::Type::Range:
      return v.as_range().size() > 0;
  }
  return false;
}

// ---- Dict ----

std::string hash_key(const Value& key) {
  switch (key.type()) {
    case Value::Type::None:
      return "N";
    case Value::Type::Bool:
    case Value::Type::Int:
      return "i" + std::to_string(key.as_int());
    case Value::Type::Float: {
      double x = key.as_float();
      // Integral floats share the int's key: {1: 'a', 1.0: 'b'} has one key in Python.
      if (x == std::floor(x) && x >= -9223372036854775808.0 && x < 9223372036854775808.0)
        return "i" + std::to_string(static_cast<int64_t>(x));
      return "f" + float_repr(x);
    }
    case Value::Type::Str:
      return "s" + key.as_str();
    case Value::Type::Tuple: {
      std::string out = "t" + std::to_string(key.as_list().size()) + "(";
      for (const Value& item : key.as_list()) {
        std::string k = hash_key(item);
        out += std::to_string(k.size()) + ":" + k;
      }
      return out + ")";
    }
    case Value::Type::Range: {
      // Equal ranges (range(0) == range(5, 5)) must share a key: hash what they produce.
      const Range& r = key.as_range();
      int64_t n = r.size();
      std::string out = "r" + std::to_string(n);
      if (n > 0) out += "," + std::to_string(r.start);
      if (n > 1) out += "," + std::to_string(r.step);
      return out;
    }
    default:
      throw ConfigError(std::string("TypeError: unhashable type: '") + key.type_name() + "'",
                        key.location());
  }
}

const Value* Dict::find(const Value& key) const {
  auto it = index_.find(hash_key(key));
  return it == index_.end() ? nullptr : &items_[it->second].second;
}

Value* Dict::find(const Value& key) {
  return const_cast<Value*>(static_cast<const Dict*>(this)->find(key));
}

const Value* Dict::find(std::string_view key) const {
  std::string k = "s";
  k += key;
  auto it = index_.find(k);
  return it == index_.end() ? nullptr : &items_[it->second].second;
}

Value* Dict::find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Dict*>(this)->find(key));
}

const Value& Dict::at(std::string_view key) const {
  const Value* v = find(key);
  if (!v) throw ConfigError("KeyError: '" + std::string(key) + "'");
  return *v;
}

void Dict::set(const Value& key, Value value) {
  std::string k = hash_key(key);
  auto it = index_.find(k);
  if (it != index_.end()) {
    items_[it->second].second = std::move(value);
    return;
  }
  index_.emplace(std::move(k), items_.size());
  items_.emplace_back(key, std::move(value));
}

bool Dict::erase(const Value& key) {
  auto it = index_.find(hash_key(key));
  if (it == index_.end()) return false;
  size_t pos = it->second;
  index_.erase(it);
  items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(pos));
  for (auto& [k, i] : index_)
    if (i > pos) --i;
  return true;
}

bool Dict::all_string_keys() const {
  for (const auto& item : items_)
    if (!item.first.is_str()) return false;
  return true;
}

// ---- repr ----

std::string float_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  // Shortest round-trip digits in scientific form, then laid out as Python's repr does:
  // positional for exponents -4..15, else d.ddde+XX.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string mant = sci.substr(0, e);
  int exp = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  std::string out;
  if (exp >= -5 + 1 && exp < 16) {
    if (exp < 0) {
      out = "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    } else if (static_cast<size_t>(exp) + 1 >= digits.size()) {
      out = digits + std::string(exp + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
    }
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out += eb;
  }
  return neg ? "-" + out : out;
}

namespace {

std::string str_repr(const std::string& s) {
  // Python prefers single quotes unless the string holds a ' and no ".
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char q = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, q);
  for (unsigned char c : s) {
    if (c == q || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + q;
}

}  // namespace

std::string repr(const Value& v) {
  switch (v.type()) {
    case Value::Type::None:
      return "None";
    case Value::Type::Bool:
      return v.as_bool() ? "True" : "False";
    case Value::Type::Int:
      return std::to_string(v.as_int());
    case Value::Type::Float:
      return float_repr(v.as_float());
    case Value::Type::Str:
      return str_repr(v.as_str());
    case Value::Type::List:
    case Value::Type::Tuple: {
      const List& items = v.as_list();
      std::string out = v.is_list() ? "[" : "(";
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += repr(items[i]);
      }
      if (v.is_tuple() && items.size() == 1) out += ",";
      return out + (v.is_list() ? "]" : ")");
    }
    case Value::Type::Dict: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, item] : v.as_dict()) {
        if (!first) out += ", ";
        first = false;
        out += repr(k) + ": " + repr(item);
      }
      return out + "}";
    }
    case Value::Type::Range: {
      const Range& r = v.as_range();
      std::string out = "range(" + std::to_string(r.start) + ", " + std::to_string(r.stop);
      if (r.step != 1) out += ", " + std::to_string(r.step);
      return out + ")";
    }
  }
  return "?";
}

}  // namespace tubelet
