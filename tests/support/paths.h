// Where tests find the project's files, the shared reference data, and scratch space.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>

#include "tubelet/config/value.h"

namespace tubelet::test {

inline std::filesystem::path source_dir() {
  return TUBELET_SOURCE_DIR;
}

// ../shared next to the project; empty when absent (tests that need it skip).
inline std::filesystem::path shared_dir() {
  std::filesystem::path p = std::filesystem::path(TUBELET_SHARED_DIR).lexically_normal();
  std::error_code ec;
  return std::filesystem::is_directory(p, ec) ? p : std::filesystem::path();
}

#define TUBELET_REQUIRE_SHARED()                                                     \
  do {                                                                               \
    if (::tubelet::test::shared_dir().empty())                                       \
      GTEST_SKIP() << "../shared (golden values from MMAction2) is absent: skipped"; \
  } while (0)

// A fresh directory under the system temp dir, removed when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to `relative` (creating folders) and returns the full path.
  std::filesystem::path write(const std::string& relative, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

std::string read_text(const std::filesystem::path& p);

}  // namespace tubelet::test

namespace tubelet::test {

// The what() of the exception `f` throws, or "no error".
std::string error_of(const std::function<void()>& f);

// A golden JSON value with the golden files' encodings decoded back to Python's types:
// {"__tuple__": [...]}, {"__dict__": [[k, v], ...]}, {"__range__": [...]}, {"__float__": "inf"}.
tubelet::Value decode_golden(const tubelet::Value& v);

}  // namespace tubelet::test
