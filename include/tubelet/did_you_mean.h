// The suggestion every "unknown name" error in a config ends with: registries for an unknown
// `type`, option readers for an unknown key.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tubelet {

// "; did you mean 'ResNet'?" for the candidate closest to `word` (case-insensitive edit
// distance, at most about a third of its length), or "" when none is that close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace tubelet
