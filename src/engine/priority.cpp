#include "tubelet/engine/priority.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "tubelet/config/error.h"

namespace tubelet {

namespace {

const std::pair<const char*, Priority> kLevels[] = {
    {"HIGHEST", Priority::HIGHEST}, {"VERY_HIGH", Priority::VERY_HIGH},
    {"HIGH", Priority::HIGH},       {"ABOVE_NORMAL", Priority::ABOVE_NORMAL},
    {"NORMAL", Priority::NORMAL},   {"BELOW_NORMAL", Priority::BELOW_NORMAL},
    {"LOW", Priority::LOW},         {"VERY_LOW", Priority::VERY_LOW},
    {"LOWEST", Priority::LOWEST},
};

}  // namespace

int get_priority(const Value& priority) {
  if (priority.is_int()) {
    int64_t p = priority.as_int();
    if (p < 0 || p > 100)
      throw ConfigError("priority must be between 0 and 100", priority.location());
    return static_cast<int>(p);
  }
  if (priority.is_str()) {
    std::string name = priority.as_str();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    for (const auto& [level, value] : kLevels)
      if (name == level) return static_cast<int>(value);
    throw ConfigError("unknown priority '" + priority.as_str() +
                          "' (HIGHEST, VERY_HIGH, HIGH, ABOVE_NORMAL, NORMAL, BELOW_NORMAL, LOW, "
                          "VERY_LOW, LOWEST or an int in [0, 100])",
                      priority.location());
  }
  throw ConfigError("priority must be int, str, or Priority", priority.location());
}

std::string priority_name(int priority) {
  for (const auto& [level, value] : kLevels)
    if (static_cast<int>(value) == priority) return level;
  return std::to_string(priority);
}

}  // namespace tubelet
