#include "print_metrics.h"

#include <cstdio>
#include <iostream>

namespace tubelet::cli {

void print_metrics(const Dict& metrics) {
  for (const auto& [name, value] : metrics.items()) {
    const std::string key = name.is_str() ? name.as_str() : repr(name);
    if (value.is_number()) {
      std::printf("%s: %.4f\n", key.c_str(), value.as_float());
    } else {
      std::cout << key << ":\n" << repr(value) << "\n";
    }
  }
}

}  // namespace tubelet::cli
