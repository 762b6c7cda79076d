#include "tubelet/engine/logger.h"

#include <chrono>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace tubelet {

namespace {

// "2026-11-25 23:00:00,123", as Python's logging formats asctime.
std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  localtime_r(&t, &tm);
  std::ostringstream out;
  out << std::put_time(&tm, "%Y-%m-%d %H:%M:%S") << ',' << std::setw(3) << std::setfill('0')
      << ms.count();
  return out.str();
}

}  // namespace

Logger::Logger(std::string name, bool to_console)
    : name_(std::move(name)), to_console_(to_console) {}

void Logger::set_file(const std::filesystem::path& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto file = std::make_unique<std::ofstream>(path, std::ios::app);
  if (!*file) throw std::runtime_error("cannot open log file " + path.string());
  file_ = std::move(file);
}

void Logger::info(const std::string& message) {
  write("INFO", message);
}
void Logger::warning(const std::string& message) {
  write("WARNING", message);
}
void Logger::error(const std::string& message) {
  write("ERROR", message);
}

void Logger::write(const char* level, const std::string& message) {
  std::string line = timestamp() + " - " + name_ + " - " + level + " - " + message + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  if (to_console_) std::cerr << line << std::flush;
  if (file_) *file_ << line << std::flush;
}

}  // namespace tubelet
