// How `tubelet test` and `tubelet eval-metric` print metrics: "name: value" per line, numbers
// with 4 decimals (as tools/test.py prints them), other values as Python's repr.
#pragma once

#include "tubelet/config/value.h"

namespace tubelet::cli {

void print_metrics(const Dict& metrics);

}  // namespace tubelet::cli
