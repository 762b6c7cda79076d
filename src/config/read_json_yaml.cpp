// .json and .yaml config files, read into the value tree as mmcv.load reads them.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <regex>

#include "tubelet/config/dump.h"

namespace tubelet {

namespace {

Location location_of_offset(const std::string& text, size_t offset,
                            const std::shared_ptr<const std::string>& file) {
  Location loc;
  loc.file = file;
  loc.line = 1;
  loc.column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

Value from_nlohmann(const nlohmann::ordered_json& j, const Location& loc) {
  Value v;
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: break;
    case nlohmann::ordered_json::value_t::boolean: v = Value(j.get<bool>()); break;
    case nlohmann::ordered_json::value_t::number_integer: v = Value(j.get<int64_t>()); break;
    case nlohmann::ordered_json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        throw ConfigError("integer " + std::to_string(u) + " is too large (int64)", loc);
      v = Value(static_cast<int64_t>(u));
      break;
    }
    case nlohmann::ordered_json::value_t::number_float: v = Value(j.get<double>()); break;
    case nlohmann::ordered_json::value_t::string: v = Value(j.get<std::string>()); break;
    case nlohmann::ordered_json::value_t::array: {
      List items;
      for (const auto& item : j) items.push_back(from_nlohmann(item, loc));
      v = Value::list(std::move(items));
      break;
    }
    case nlohmann::ordered_json::value_t::object: {
      Dict d;
      for (auto it = j.begin(); it != j.end(); ++it) d.set(it.key(), from_nlohmann(it.value(), loc));
      v = Value(std::move(d));
      break;
    }
    default: throw ConfigError("unsupported JSON value", loc);
  }
  v.at(loc);
  return v;
}

// PyYAML's (YAML 1.1) implicit scalar types, which mmcv gets through yaml.load.
Value resolve_yaml_scalar(const std::string& s) {
  static const std::regex null_re("~|null|Null|NULL|");
  static const std::regex true_re("yes|Yes|YES|true|True|TRUE|on|On|ON");
  static const std::regex false_re("no|No|NO|false|False|FALSE|off|Off|OFF");
  static const std::regex int_re("[-+]?(0|[1-9][0-9_]*)");
  static const std::regex float_re(
      "[-+]?([0-9][0-9_]*)?\\.[0-9_]*([eE][-+][0-9]+)?");
  static const std::regex inf_re("[-+]?\\.(inf|Inf|INF)");
  static const std::regex nan_re("\\.(nan|NaN|NAN)");
  if (std::regex_match(s, null_re)) return Value();
  if (std::regex_match(s, true_re)) return Value(true);
  if (std::regex_match(s, false_re)) return Value(false);
  std::string digits;
  for (char c : s)
    if (c != '_') digits += c;
  try {
    if (std::regex_match(s, int_re)) return Value(static_cast<int64_t>(std::stoll(digits)));
    if (std::regex_match(s, float_re) && digits.find_first_of("0123456789") != std::string::npos)
      return Value(std::stod(digits));
  } catch (const std::exception&) {
    return Value(s);  // out of range: keep the text
  }
  if (std::regex_match(s, inf_re))
    return Value(s[0] == '-' ? -std::numeric_limits<double>::infinity()
                             : std::numeric_limits<double>::infinity());
  if (std::regex_match(s, nan_re)) return Value(std::numeric_limits<double>::quiet_NaN());
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
    case YAML::NodeType::Undefined: break;
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

Value from_json(const std::string& text, const std::string& filename) {
  auto file = std::make_shared<const std::string>(filename);
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::ordered_json::parse_error& e) {
    size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    throw ConfigError(std::string("JSON syntax error: ") + e.what(),
                      location_of_offset(text, offset, file));
  } catch (const nlohmann::ordered_json::exception& e) {  // e.g. a number out of range
    throw ConfigError(std::string("JSON error: ") + e.what(), Location{file, 0, 0});
  }
  Location loc;
  loc.file = file;
  return from_nlohmann(j, loc);
}

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

}  // namespace tubelet
