// Small pieces both runners use.
#pragma once

#include <string>
#include <vector>

#include "tubelet/engine/runner.h"

namespace tubelet {

// One loader per workflow phase, none null.
void check_loaders(const std::vector<DataLoader*>& loaders, const Workflow& workflow);
// Python's filename_tmpl.format(n) for templates holding one "{}".
std::string format_checkpoint_name(const std::string& filename_tmpl, int64_t n);

}  // namespace tubelet
