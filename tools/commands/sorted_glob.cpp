#include "sorted_glob.h"

#include <glob.h>

#include <algorithm>
#include <stdexcept>

namespace tubelet::cli {

std::vector<std::string> sorted_glob(const std::string& pattern) {
  glob_t found{};
  // GLOB_NOSORT: glob's own order follows the locale; byte order is Python's.
  const int rc = ::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &found);
  std::vector<std::string> paths;
  if (rc == 0)
    for (size_t i = 0; i < found.gl_pathc; ++i) paths.emplace_back(found.gl_pathv[i]);
  ::globfree(&found);
  if (rc != 0 && rc != GLOB_NOMATCH)
    throw std::runtime_error("cannot search '" + pattern + "' (glob error " + std::to_string(rc) +
                             ")");
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace tubelet::cli
