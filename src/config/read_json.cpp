// .json config and annotation files, read into the value tree as mmcv.load reads them.
#include <limits>
#include <nlohmann/json.hpp>

#include "tubelet/config/dump.h"

namespace tubelet {

namespace {

Value from_nlohmann(const nlohmann::ordered_json& j, const Location& loc) {
  Value v;
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null:
      break;
    case nlohmann::ordered_json::value_t::boolean:
      v = Value(j.get<bool>());
      break;
    case nlohmann::ordered_json::value_t::number_integer:
      v = Value(j.get<int64_t>());
      break;
    case nlohmann::ordered_json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        throw ConfigError("integer " + std::to_string(u) + " is too large (int64)", loc);
      v = Value(static_cast<int64_t>(u));
      break;
    }
    case nlohmann::ordered_json::value_t::number_float:
      v = Value(j.get<double>());
      break;
    case nlohmann::ordered_json::value_t::string:
      v = Value(j.get<std::string>());
      break;
    case nlohmann::ordered_json::value_t::array: {
      List items;
      for (const auto& item : j) items.push_back(from_nlohmann(item, loc));
      v = Value::list(std::move(items));
      break;
    }
    case nlohmann::ordered_json::value_t::object: {
      Dict d;
      for (auto it = j.begin(); it != j.end(); ++it)
        d.set(it.key(), from_nlohmann(it.value(), loc));
      v = Value(std::move(d));
      break;
    }
    default:
      throw ConfigError("unsupported JSON value", loc);
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
                      advance(Location{file, 1, 1}, text, offset));
  } catch (const nlohmann::ordered_json::exception& e) {  // e.g. a number out of range
    throw ConfigError(std::string("JSON error: ") + e.what(), Location{file, 0, 0});
  }
  Location loc;
  loc.file = file;
  return from_nlohmann(j, loc);
}

}  // namespace tubelet
