// Writing .pth files in torch.save's zip format, atomically.
#include <caffe2/serialize/inline_container.h>

#include <stdexcept>

#include "tubelet/checkpoint/pth.h"
#include "tubelet/fileio/atomic_file.h"

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

void write_pth(const std::string& path, const PyObject& root) {
  std::string bytes = write_pth_bytes(root);
  try {
    write_file_atomically(path, bytes);
  } catch (const std::runtime_error& e) {
    throw CheckpointError(e.what());
  }
}

}  // namespace tubelet::checkpoint
