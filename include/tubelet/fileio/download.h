// HTTP(S) downloads of checkpoints, as torch.hub's download_url_to_file does them: the whole
// file or nothing under its name, its SHA-256 checked against the hash prefix its name carries,
// a progress line on stderr. model_cache.h decides what to download and where.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace tubelet {

struct DownloadOptions {
  long connect_timeout_s = 30;
  // A transfer slower than low_speed_bytes_per_s for low_speed_time_s seconds is given up:
  // a stalled server must not hang a training job forever.
  long low_speed_bytes_per_s = 1024;
  long low_speed_time_s = 60;
  bool progress = true;  // a progress line on stderr
};

// Downloads `url` (http or https; redirects followed) to `target`, whose directory must exist.
// With a non-empty `hash_prefix` (hex), the SHA-256 of the content must start with it. The file
// appears only when complete and checked (write_file_atomically); on any failure none is left
// and std::runtime_error says "cannot download URL: why" (e.g. "HTTP status 404").
void download_url_to_file(const std::string& url, const std::filesystem::path& target,
                          const std::string& hash_prefix = "", const DownloadOptions& options = {});

// False in a build without libcurl (TUBELET_WITH_DOWNLOAD=OFF), where every download throws.
bool downloads_available();

// torch.hub's HASH_REGEX: the hex after the first '-' that hex digits and a '.' follow
// ("resnet50-0676ba61.pth" -> "0676ba61"); "" when the name has none.
std::string hash_prefix_of(const std::string& file_name);

// The SHA-256 of a file's content, lower-case hex.
std::string sha256_of_file(const std::filesystem::path& path);

}  // namespace tubelet
