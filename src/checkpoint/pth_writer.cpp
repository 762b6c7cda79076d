// Writing .pth files in torch.save's zip format, atomically.
#include <caffe2/serialize/inline_container.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "tubelet/checkpoint/pth.h"

namespace tubelet::checkpoint {

std::string write_pth_bytes(const PyObject& root) {
  std::vector<torch::Tensor> storages;
  std::string pkl = pickle(root, &storages);
  std::string out;
  try {
    // The writer aligns every record at 64 bytes and adds the `version` record, as Python's.
    caffe2::serialize::PyTorchStreamWriter writer([&out](const void* data, size_t n) {
      out.append(static_cast<const char*>(data), n);
      return n;
    });
    writer.writeRecord("data.pkl", pkl.data(), pkl.size());
    static const char empty = 0;
    for (size_t k = 0; k < storages.size(); ++k) {
      const torch::Tensor& t = storages[k];
      const void* data = t.numel() ? t.data_ptr() : &empty;
      writer.writeRecord("data/" + std::to_string(k), data, t.numel() * t.element_size());
    }
    writer.writeEndOfFile();
  } catch (const c10::Error& e) {
    throw CheckpointError(std::string("cannot write checkpoint: ") + e.what_without_backtrace());
  }
  return out;
}

namespace {

void write_file(const std::string& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw CheckpointError("checkpoint " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      throw CheckpointError("checkpoint " + path + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  // Flushed before the rename, so a crash leaves the old file or the whole new one.
  bool ok = ::fsync(fd) == 0;
  int err = errno;
  if (::close(fd) != 0 || !ok)
    throw CheckpointError("checkpoint " + path + ": " + std::strerror(ok ? errno : err));
}

}  // namespace

void write_pth(const std::string& path, const PyObject& root) {
  std::string bytes = write_pth_bytes(root);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    write_file(tmp, bytes);
    std::filesystem::rename(tmp, path);
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw CheckpointError(e.what());
  }
}

}  // namespace tubelet::checkpoint
