// Errors from reading configs: each carries where in which file it happened.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tubelet {

// A position in a config source. Lines and columns count from 1; 0 means unknown.
struct Location {
  std::shared_ptr<const std::string> file;
  int line = 0;
  int column = 0;

  bool known() const { return file != nullptr; }
  const std::string& filename() const;
  // "configs/x.py:3:7", "configs/x.py" or "" when unknown.
  std::string str() const;
};

// The location `offset` bytes into `text`, which starts at `start` (line/column counted as
// the config loader counts them: one column per byte).
Location advance(Location start, std::string_view text, size_t offset);

// Anything wrong in a config: syntax, evaluation, merging, a bad argument.
// what() is "file:line:column: message" when the location is known.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& message, Location where = {});
  const std::string& message() const { return message_; }
  const Location& where() const { return where_; }

 private:
  std::string message_;
  Location where_;
};

}  // namespace tubelet
