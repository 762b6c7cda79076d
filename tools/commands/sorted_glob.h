// Python's sorted(glob.glob(pattern)) for the commands that take file patterns (`infer`,
// `build-audio-features`).
#pragma once

#include <string>
#include <vector>

namespace tubelet::cli {

// The paths matching `pattern` (POSIX glob), sorted by bytes as Python sorts strings; empty
// when none match. Throws std::runtime_error naming the pattern when the search itself fails.
std::vector<std::string> sorted_glob(const std::string& pattern);

}  // namespace tubelet::cli
