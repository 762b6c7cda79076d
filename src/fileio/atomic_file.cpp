#include "tubelet/fileio/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <vector>

namespace tubelet {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& target, const std::string& reason) {
  throw std::runtime_error("cannot write " + target.string() + ": " + reason);
}

// Writes all of [data, data + n) to `fd`; returns 0 or the errno of the failed write.
int write_all(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t done = ::write(fd, data, n);
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) return done < 0 ? errno : EIO;
    data += done;
    n -= static_cast<size_t>(done);
  }
  return 0;
}

// An output stream buffer over a file descriptor that keeps the errno of its first failure
// (std::ofstream loses it), so the message can say why a write failed.
class FdStreamBuf : public std::streambuf {
 public:
  explicit FdStreamBuf(int fd) : fd_(fd), buffer_(1 << 16) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
    return c;
  }

  // Large blocks (tensor data) go straight to the file instead of through the buffer.
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n < epptr() - pptr()) return std::streambuf::xsputn(s, n);
    if (!drain()) return 0;
    if (n < epptr() - pptr()) return std::streambuf::xsputn(s, n);
    error_ = write_all(fd_, s, static_cast<size_t>(n));
    return error_ == 0 ? n : 0;
  }

  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    if (error_ == 0) error_ = write_all(fd_, pbase(), static_cast<size_t>(pptr() - pbase()));
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return error_ == 0;
  }

  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

// The temporary beside the target: removed unless committed (renamed over the target).
class TempFile {
 public:
  explicit TempFile(const fs::path& target) : target_(target) {
    const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::error_code ec;
    if (target.filename().empty()) fail(target, "not a file name");
    if (!fs::is_directory(parent, ec))
      fail(target, "the directory " + parent.string() +
                       (fs::exists(parent, ec) ? " is not a directory" : " does not exist"));
    static std::atomic<unsigned long> counter{0};
    // O_EXCL: another thread, process or a stale leftover never shares our temporary.
    for (int attempt = 0; fd_ < 0; ++attempt) {
      path_ = parent / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()) +
                        "." + std::to_string(counter++));
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ < 0 && (errno != EEXIST || attempt == 100)) fail(target, std::strerror(errno));
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }

  int fd() const { return fd_; }

  // The directory is not synced: after an OS crash the rename may be lost, but then the old
  // file is whole. EINVAL: a file system that cannot sync (nothing to wait for).
  void commit(FileSync sync) {
    if (sync == FileSync::kSync && ::fdatasync(fd_) != 0 && errno != EINVAL)
      fail(target_, std::strerror(errno));
    const int closed = ::close(fd_);
    fd_ = -1;
    if (closed != 0) fail(target_, std::strerror(errno));
    if (::rename(path_.c_str(), target_.c_str()) != 0) fail(target_, std::strerror(errno));
    committed_ = true;
  }

 private:
  fs::path target_;
  fs::path path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace

void write_file_atomically(const fs::path& target, const std::function<void(std::ostream&)>& write,
                           FileSync sync) {
  TempFile tmp(target);
  {
    FdStreamBuf buffer(tmp.fd());
    std::ostream out(&buffer);
    write(out);
    out.flush();
    if (buffer.error() != 0) fail(target, std::strerror(buffer.error()));
    if (!out) fail(target, "the output stream failed");
  }
  tmp.commit(sync);
}

void write_file_atomically(const fs::path& target, std::string_view bytes, FileSync sync) {
  TempFile tmp(target);
  if (int err = write_all(tmp.fd(), bytes.data(), bytes.size())) fail(target, std::strerror(err));
  tmp.commit(sync);
}

}  // namespace tubelet
