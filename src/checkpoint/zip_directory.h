// Reading the zip archives torch.save writes. They store every record uncompressed, so a
// reader is a walk of the central directory plus bounds and CRC checks; doing it here keeps
// hostile files under our control (LibTorch's PyTorchStreamReader leaks miniz's state when
// its constructor throws, and allocates an entry's declared size before checking it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tubelet::checkpoint {

struct ZipEntry {
  std::string name;
  uint64_t method = 0, compressed = 0, size = 0, local_header = 0;
  uint32_t crc = 0;
};

// The central directory; throws CheckpointError("corrupt zip archive: ...") when unreadable
// or when an entry lies outside the archive.
std::vector<ZipEntry> read_zip_directory(std::string_view archive);

// The bytes of a stored entry (a view into `archive`), CRC-checked.
std::string_view zip_entry_data(std::string_view archive, const ZipEntry& entry);

}  // namespace tubelet::checkpoint
