#include "infer_inputs.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "sorted_glob.h"

namespace tubelet::cli {

namespace fs = std::filesystem;

// A named namespace rather than an anonymous one: the command's files compile in unity
// batches, where helpers of the same name in two files would clash.
namespace input_expansion {

// The containers FFmpeg reads that video datasets come in.
const char* const kVideoExtensions[] = {".mp4", ".avi", ".mkv", ".webm", ".mov",
                                        ".m4v", ".flv", ".wmv", ".mpg",  ".mpeg",
                                        ".3gp", ".ogv", ".ts",  ".mts",  ".m2ts"};

bool is_glob(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

// A folder's video files, sorted; empty for a rawframe folder.
std::vector<std::string> videos_in(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file(ec) && has_video_extension(entry.path().string()))
      out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

void expand_path(const std::string& path, std::vector<std::string>& out) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> videos = videos_in(path);
    if (!videos.empty()) {
      out.insert(out.end(), videos.begin(), videos.end());
      return;
    }
  }
  out.push_back(path);
}

void expand(const std::string& arg, std::vector<std::string>& out) {
  std::error_code ec;
  if (!fs::exists(arg, ec) && is_glob(arg)) {
    std::vector<std::string> matches = sorted_glob(arg);
    if (!matches.empty()) {
      for (const std::string& m : matches) expand_path(m, out);
      return;
    }
  }
  expand_path(arg, out);
}

std::string trim(const std::string& s) {
  const char* space = " \t\r\n\f\v";
  const size_t first = s.find_first_not_of(space);
  return first == std::string::npos ? "" : s.substr(first, s.find_last_not_of(space) - first + 1);
}

}  // namespace input_expansion

bool has_video_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(std::begin(input_expansion::kVideoExtensions),
                   std::end(input_expansion::kVideoExtensions),
                   ext) != std::end(input_expansion::kVideoExtensions);
}

std::vector<std::string> expand_infer_inputs(const std::vector<std::string>& args,
                                             const std::string& list_file) {
  std::vector<std::string> out;
  for (const std::string& arg : args) input_expansion::expand(arg, out);
  if (list_file.empty()) return out;
  std::ifstream in(list_file);
  if (!in) throw std::runtime_error("cannot read the input list '" + list_file + "'");
  for (std::string line; std::getline(in, line);)
    if (std::string path = input_expansion::trim(line); !path.empty())
      input_expansion::expand(path, out);
  return out;
}

}  // namespace tubelet::cli
