#include "tubelet/fileio/download.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <chrono>
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

// SHA-256 over data fed in pieces (OpenSSL's EVP interface; the SHA256_* one is deprecated).
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw std::runtime_error("cannot start a SHA-256 digest (OpenSSL)");
  }
  void update(const char* data, size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &n);
    static const char* const kDigits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
      out += kDigits[digest[i] >> 4];
      out += kDigits[digest[i] & 15];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

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
