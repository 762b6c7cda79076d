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

// Float32 results computed with another summation order (other process or thread counts,
// another BLAS/oneDNN kernel) agree to about 1e-7 relative per operation and drift to a few
// 1e-6 through a network; this bound leaves room for that and still catches a real change.
constexpr double kFloat32RelTol = 1e-5;
constexpr double kFloat32AbsTol = 1e-6;

// "" when `a` and `b` have the same structure, equal strings/ints and floats within
// |a - b| <= abs_tol + rel_tol * |b|; otherwise where (e.g. "[4][1]") and how they differ.
std::string json_difference(const tubelet::Value& a, const tubelet::Value& b,
                            double rel_tol = kFloat32RelTol, double abs_tol = kFloat32AbsTol);

}  // namespace tubelet::test
