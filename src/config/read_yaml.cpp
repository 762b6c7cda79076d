// .yaml config and annotation files, read into the value tree as mmcv.load (PyYAML) reads
// them. A build without yaml-cpp (TUBELET_WITH_YAML=OFF) refuses them with that reason.
#include "tubelet/config/dump.h"

#ifdef TUBELET_NO_YAML

namespace tubelet {

Value from_yaml(const std::string&, const std::string& filename) {
  throw ConfigError("cannot read " + filename +
                    ": this Tubelet was built without YAML support "
                    "(TUBELET_WITH_YAML=OFF: no yaml-cpp); use a .py or .json file");
}

bool yaml_available() {
  return false;
}

}  // namespace tubelet

#else

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <limits>

namespace tubelet {

namespace {

bool one_of(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (s == w) return true;
  return false;
}

bool all_digits_or_underscores(const std::string& s, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '_') return false;
  return true;
}

// PyYAML's int: [-+]?(0|[1-9][0-9_]*) (the base-2/8/16 and sexagesimal forms are not needed).
bool is_yaml_int(const std::string& s) {
  size_t i = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i >= s.size()) return false;
  if (s[i] == '0') return i + 1 == s.size();
  return std::isdigit(static_cast<unsigned char>(s[i])) &&
         all_digits_or_underscores(s, i, s.size());
}

// PyYAML's float: [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)? — a '.' is required.
bool is_yaml_float(const std::string& s) {
  size_t i = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  size_t dot = s.find('.', i);
  if (dot == std::string::npos || !all_digits_or_underscores(s, i, dot)) return false;
  if (dot > i && s[i] == '_') return false;
  size_t e = s.find_first_of("eE", dot);
  size_t frac_end = e == std::string::npos ? s.size() : e;
  if (!all_digits_or_underscores(s, dot + 1, frac_end)) return false;
  if (e == std::string::npos) return true;
  if (e + 1 >= s.size() || (s[e + 1] != '-' && s[e + 1] != '+') || e + 2 >= s.size()) return false;
  for (size_t k = e + 2; k < s.size(); ++k)
    if (!std::isdigit(static_cast<unsigned char>(s[k]))) return false;
  return true;
}

// PyYAML's (YAML 1.1) implicit scalar types, which mmcv gets through yaml.load.
Value resolve_yaml_scalar(const std::string& s) {
  if (one_of(s, {"~", "null", "Null", "NULL", ""})) return Value();
  if (one_of(s, {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}))
    return Value(true);
  if (one_of(s, {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}))
    return Value(false);
  std::string digits;
  for (char c : s)
    if (c != '_') digits += c;
  if (is_yaml_int(s)) {
    errno = 0;
    long long v = std::strtoll(digits.c_str(), nullptr, 10);
    return errno == ERANGE ? Value(s) : Value(static_cast<int64_t>(v));
  }
  if (is_yaml_float(s) && digits.find_first_of("0123456789") != std::string::npos)
    return Value(std::strtod(digits.c_str(), nullptr));
  const double inf = std::numeric_limits<double>::infinity();
  if (one_of(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) return Value(inf);
  if (one_of(s, {"-.inf", "-.Inf", "-.INF"})) return Value(-inf);
  if (one_of(s, {".nan", ".NaN", ".NAN"})) return Value(std::numeric_limits<double>::quiet_NaN());
  return Value(s);
}

Value from_yaml_node(const YAML::Node& node, const std::shared_ptr<const std::string>& file,
                     int depth) {
  Location loc;
  loc.file = file;
  loc.line = node.Mark().line + 1;
  loc.column = node.Mark().column + 1;
  if (depth > 200) throw ConfigError("YAML nesting too deep", loc);
  Value v;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
    case YAML::NodeType::Scalar:
      // A quoted scalar has the non-specific tag "!": always a string.
      v = node.Tag() == "!" ? Value(node.Scalar()) : resolve_yaml_scalar(node.Scalar());
      break;
    case YAML::NodeType::Sequence: {
      List items;
      for (const auto& item : node) items.push_back(from_yaml_node(item, file, depth + 1));
      v = Value::list(std::move(items));
      break;
    }
    case YAML::NodeType::Map: {
      Dict d;
      for (const auto& kv : node)
        d.set(from_yaml_node(kv.first, file, depth + 1),
              from_yaml_node(kv.second, file, depth + 1));
      v = Value(std::move(d));
      break;
    }
  }
  v.at(loc);
  return v;
}

}  // namespace

Value from_yaml(const std::string& text, const std::string& filename) {
  auto file = std::make_shared<const std::string>(filename);
  try {
    return from_yaml_node(YAML::Load(text), file, 0);
  } catch (const YAML::Exception& e) {
    Location loc;
    loc.file = file;
    loc.line = e.mark.line + 1;
    loc.column = e.mark.column + 1;
    throw ConfigError("YAML syntax error: " + e.msg, loc);
  }
}

bool yaml_available() {
  return true;
}

}  // namespace tubelet

#endif
