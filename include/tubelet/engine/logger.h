// The run's text log, in the line format mmcv's logger writes and MMAction2's tools parse:
// "2026-11-25 23:00:00,123 - mmaction - INFO - message". Written to stderr and, once a file
// is set, to that file too (rank 0 only, as mmcv does).
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>

namespace tubelet {

class Logger {
 public:
  explicit Logger(std::string name = "mmaction", bool to_console = true);
  void set_file(const std::filesystem::path& path);
  void info(const std::string& message);
  void warning(const std::string& message);
  void error(const std::string& message);

 private:
  void write(const char* level, const std::string& message);
  std::string name_;
  bool to_console_;
  std::mutex mutex_;
  std::unique_ptr<std::ofstream> file_;
};

}  // namespace tubelet
