#include "tubelet/fileio/download.h"

#ifndef TUBELET_NO_DOWNLOAD  // TUBELET_WITH_DOWNLOAD=OFF: a build without libcurl
#include <curl/curl.h>
#endif
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string>

#include "tubelet/fileio/atomic_file.h"

namespace tubelet {

namespace fs = std::filesystem;

namespace {

using ClockDownload = std::chrono::steady_clock;

// SHA-256 (FIPS 180-4) over data fed in pieces. Our own, so that checking a checkpoint's hash
// needs no crypto library (the hash guards against truncated or wrong files, not attackers).
class Sha256 {
 public:
  void update(const char* data, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      block_[filled_++] = static_cast<uint8_t>(data[i]);
      if (filled_ == 64) compress();
    }
    bytes_ += n;
  }
  std::string hex() {
    const uint64_t bits = bytes_ * 8;
    const char one = static_cast<char>(0x80), zero = 0;
    update(&one, 1);
    while (filled_ != 56) update(&zero, 1);
    for (int i = 7; i >= 0; --i) block_[filled_++] = static_cast<uint8_t>(bits >> (8 * i));
    compress();
    static const char* const kDigits = "0123456789abcdef";
    std::string out;
    for (uint32_t word : state_)
      for (int shift = 28; shift >= 0; shift -= 4) out += kDigits[(word >> shift) & 15];
    return out;
  }

 private:
  static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

  void compress() {
    static const uint32_t kRound[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
      w[i] = uint32_t{block_[4 * i]} << 24 | uint32_t{block_[4 * i + 1]} << 16 |
             uint32_t{block_[4 * i + 2]} << 8 | uint32_t{block_[4 * i + 3]};
    for (int i = 16; i < 64; ++i) {
      const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t v[8];
    std::copy(std::begin(state_), std::end(state_), v);
    for (int i = 0; i < 64; ++i) {
      const uint32_t e = v[4], a = v[0];
      const uint32_t t1 = v[7] + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
                          ((e & v[5]) ^ (~e & v[6])) + kRound[i] + w[i];
      const uint32_t t2 =
          (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));
      std::copy_backward(v, v + 7, v + 8);
      v[4] += t1;
      v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; ++i) state_[i] += v[i];
    filled_ = 0;
  }

  uint32_t state_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  uint8_t block_[64] = {};
  size_t filled_ = 0;
  uint64_t bytes_ = 0;
};

#ifndef TUBELET_NO_DOWNLOAD

// "97.8M": tqdm's unit_scale with 1024 as divisor, as torch.hub's bar shows sizes.
std::string human_bytes(double bytes) {
  const char* units[] = {"B", "K", "M", "G", "T"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char text[32];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f%s" : "%.1f%s", bytes, units[u]);
  return text;
}

// A one-line progress report on stderr, redrawn at most four times a second on a terminal;
// elsewhere (a log file) only the final line. Plain text rather than the engine's ProgressBar:
// it counts bytes, and fileio sits below the engine.
class ByteProgress {
 public:
  explicit ByteProgress(bool enabled)
      : enabled_(enabled), redraw_(isatty(STDERR_FILENO) == 1), start_(ClockDownload::now()) {}
  void update(curl_off_t done, curl_off_t total, bool last = false) {
    if (!enabled_ || done == 0 || (!last && !redraw_)) return;  // no bytes yet: no line
    const auto now = ClockDownload::now();
    if (!last && now - shown_ < std::chrono::milliseconds(250)) return;
    shown_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
    std::string line = "\r";
    if (total > 0)
      line +=
          std::to_string(done * 100 / total) + "% " + human_bytes(done) + "/" + human_bytes(total);
    else
      line += human_bytes(done);
    line +=
        " [" + std::to_string(static_cast<long long>(seconds)) + "s, " + human_bytes(rate) + "/s]";
    std::cerr << line << (last ? "\n" : "") << std::flush;
  }

 private:
  bool enabled_, redraw_;
  ClockDownload::time_point start_, shown_{};
};

// What the callbacks share with the transfer. Callbacks run inside C code: they record a
// failure and return a value that makes libcurl stop, never throw.
struct Transfer {
  std::ostream* out = nullptr;
  Sha256 sha;
  ByteProgress progress;
  std::string write_error;
  explicit Transfer(bool show_progress) : progress(show_progress) {}
};

size_t on_data(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  t->out->write(data, static_cast<std::streamsize>(n));
  if (!*t->out) {
    t->write_error = "writing the file failed";
    return 0;  // CURLE_WRITE_ERROR
  }
  t->sha.update(data, n);
  return n;
}

int on_progress(void* user, curl_off_t total, curl_off_t done, curl_off_t, curl_off_t) {
  static_cast<Transfer*>(user)->progress.update(done, total);
  return 0;
}

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("cannot initialise libcurl");
  });
}

using Easy = std::unique_ptr<CURL, void (*)(CURL*)>;

Easy make_handle(const std::string& url, Transfer& t, const DownloadOptions& o, char* errors) {
  Easy curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw std::runtime_error("cannot download " + url + ": libcurl has no handle");
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errors);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  // Only http and https, redirects included: a redirect must not read a local file.
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(c, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);  // an HTTP error is an error, not a file
  curl_easy_setopt(c, CURLOPT_USERAGENT, "tubelet");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, o.low_speed_bytes_per_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o.low_speed_time_s);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, o.progress ? 0L : 1L);
  return curl;
}

// The reason a finished transfer failed, in words; "" when it succeeded.
std::string failure_of(CURL* c, CURLcode code, const Transfer& t, const std::string& url,
                       const char* errors) {
  if (code == CURLE_OK) return "";
  if (code == CURLE_HTTP_RETURNED_ERROR) {
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    std::string why = "HTTP status " + std::to_string(status);
    char* last_url = nullptr;  // where a redirect led
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &last_url);
    if (last_url && url != last_url) why += std::string(" from ") + last_url;
    return why;
  }
  if (code == CURLE_WRITE_ERROR && !t.write_error.empty()) return t.write_error;
  return errors[0] ? std::string(errors) : std::string(curl_easy_strerror(code));
}

// Streams the body of `url` to `out`; returns its SHA-256 (hex). Throws on any failure.
std::string fetch(const std::string& url, std::ostream& out, const DownloadOptions& o) {
  init_curl_once();
  Transfer t(o.progress);
  t.out = &out;
  char errors[CURL_ERROR_SIZE] = "";
  Easy curl = make_handle(url, t, o, errors);
  const CURLcode code = curl_easy_perform(curl.get());
  const std::string why = failure_of(curl.get(), code, t, url, errors);
  if (o.progress) {
    curl_off_t done = 0, total = -1;
    curl_easy_getinfo(curl.get(), CURLINFO_SIZE_DOWNLOAD_T, &done);
    curl_easy_getinfo(curl.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &total);
    t.progress.update(done, total, /*last=*/true);
  }
  if (!why.empty()) throw std::runtime_error("cannot download " + url + ": " + why);
  return t.sha.hex();
}

#else

std::string fetch(const std::string& url, std::ostream&, const DownloadOptions&) {
  throw std::runtime_error("cannot download " + url +
                           ": this Tubelet was built without downloads (TUBELET_WITH_DOWNLOAD=OFF: "
                           "no libcurl); download the file yourself and give its path");
}

#endif

}  // namespace

void download_url_to_file(const std::string& url, const fs::path& target,
                          const std::string& hash_prefix, const DownloadOptions& options) {
  write_file_atomically(target, [&](std::ostream& out) {
    const std::string digest = fetch(url, out, options);
    // Checked before the rename, so a file that fails the check never appears under its name.
    if (digest.compare(0, hash_prefix.size(), hash_prefix) != 0)
      throw std::runtime_error("cannot download " + url + ": invalid hash value (expected \"" +
                               hash_prefix + "\", got \"" + digest + "\"); " + target.string() +
                               " was not kept");
  });
}

bool downloads_available() {
#ifdef TUBELET_NO_DOWNLOAD
  return false;
#else
  return true;
#endif
}

std::string hash_prefix_of(const std::string& file_name) {
  static const std::regex kHash("-([a-f0-9]*)\\.");  // torch.hub's HASH_REGEX, searched
  std::smatch m;
  return std::regex_search(file_name, m, kHash) ? m[1].str() : "";
}

std::string sha256_of_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  Sha256 sha;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0)
    sha.update(buffer, static_cast<size_t>(in.gcount()));
  if (in.bad()) throw std::runtime_error("cannot read " + path.string());
  return sha.hex();
}

}  // namespace tubelet
