// mmcv's hook priorities: a lower value runs earlier; equal values run in registration order.
#pragma once

#include <string>

#include "tubelet/config/value.h"

namespace tubelet {

enum class Priority : int {
  HIGHEST = 0,
  VERY_HIGH = 10,
  HIGH = 30,
  ABOVE_NORMAL = 40,
  NORMAL = 50,
  BELOW_NORMAL = 60,
  LOW = 70,
  VERY_LOW = 90,
  LOWEST = 100,
};

// A priority given as a name ("VERY_HIGH", any case) or an int in [0, 100], as mmcv's
// get_priority accepts it. Throws ConfigError otherwise.
int get_priority(const Value& priority);
// "VERY_HIGH" for a named level, the number otherwise (for the hook table in the log).
std::string priority_name(int priority);

}  // namespace tubelet
