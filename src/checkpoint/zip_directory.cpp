#include "checkpoint/zip_directory.h"

#include <array>

#include "tubelet/checkpoint/pickle.h"

namespace tubelet::checkpoint {
namespace {

[[noreturn]] void corrupt(const std::string& what) {
  throw CheckpointError("corrupt zip archive: " + what);
}

uint64_t le(std::string_view b, uint64_t at, int n) {
  if (at > b.size() || static_cast<uint64_t>(n) > b.size() - at)
    corrupt("structure runs past the end");
  uint64_t v = 0;
  for (int k = n - 1; k >= 0; --k) v = (v << 8) | static_cast<uint8_t>(b[at + k]);
  return v;
}

// The end-of-central-directory record: the last one, as zip readers take it.
size_t find_eocd(std::string_view b) {
  if (b.size() < 22) corrupt("too short");
  size_t lowest = b.size() > 22 + 65535 ? b.size() - 22 - 65535 : 0;
  for (size_t at = b.size() - 22 + 1; at-- > lowest;)
    if (le(b, at, 4) == 0x06054b50) return at;
  corrupt("no end of central directory");
}

// Zip64 archives (over 4 GiB) keep counts and offsets in the zip64 end record and sizes in
// the extra field (tag 1) of each entry whose 32-bit field is saturated.
void zip64_directory(std::string_view b, size_t eocd, uint64_t* count, uint64_t* offset) {
  if (eocd < 20 || le(b, eocd - 20, 4) != 0x07064b50) return;
  uint64_t rec = le(b, eocd - 20 + 8, 8);
  if (le(b, rec, 4) != 0x06064b50) corrupt("bad zip64 end record");
  *count = le(b, rec + 32, 8);
  *offset = le(b, rec + 48, 8);
}

void zip64_sizes(std::string_view extra, ZipEntry* e) {
  for (size_t at = 0; at + 4 <= extra.size();) {
    uint64_t tag = le(extra, at, 2), len = le(extra, at + 2, 2);
    if (tag == 1) {
      std::string_view body = extra.substr(at + 4, len);
      size_t p = 0;
      for (uint64_t* field : {&e->size, &e->compressed, &e->local_header})
        if (*field == 0xFFFFFFFF) {
          *field = le(body, p, 8);
          p += 8;
        }
      return;
    }
    at += 4 + len;
  }
}

// CRC-32 (zlib's, reflected 0xEDB88320), eight bytes a step ("slicing-by-8"): a checkpoint's
// hundreds of megabytes are checked on every load, and the one-byte table walk took ~0.2 s per
// 100 MB. table[k][b] is the CRC of byte b followed by k zero bytes.
using Crc32Tables = std::array<std::array<uint32_t, 256>, 8>;

Crc32Tables make_crc32_tables() {
  Crc32Tables t{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][n] = c;
  }
  for (int k = 1; k < 8; ++k)
    for (uint32_t n = 0; n < 256; ++n) t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xFF];
  return t;
}

uint32_t load_le32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}

uint32_t crc32(std::string_view data) {
  static const Crc32Tables t = make_crc32_tables();
  uint32_t c = 0xFFFFFFFFu;
  const char* p = data.data();
  size_t n = data.size();
  for (; n >= 8; p += 8, n -= 8) {
    const uint32_t lo = c ^ load_le32(p), hi = load_le32(p + 4);
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
        t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
  }
  for (; n > 0; ++p, --n) c = t[0][(c ^ static_cast<uint8_t>(*p)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

}  // namespace

std::vector<ZipEntry> read_zip_directory(std::string_view b) {
  size_t eocd = find_eocd(b);
  uint64_t count = le(b, eocd + 10, 2), at = le(b, eocd + 16, 4);
  if (count == 0xFFFF || at == 0xFFFFFFFF) zip64_directory(b, eocd, &count, &at);
  if (count > b.size() / 46) corrupt("more entries than the file can hold");
  std::vector<ZipEntry> entries;
  for (uint64_t k = 0; k < count; ++k) {
    if (le(b, at, 4) != 0x02014b50) corrupt("bad central directory entry");
    ZipEntry e;
    e.method = le(b, at + 10, 2);
    e.crc = static_cast<uint32_t>(le(b, at + 16, 4));
    e.compressed = le(b, at + 20, 4);
    e.size = le(b, at + 24, 4);
    uint64_t name = le(b, at + 28, 2), extra = le(b, at + 30, 2), comment = le(b, at + 32, 2);
    e.local_header = le(b, at + 42, 4);
    le(b, at + 46, 0);
    if (name + extra > b.size() - (at + 46)) corrupt("truncated central directory");
    e.name = std::string(b.substr(at + 46, name));
    zip64_sizes(b.substr(at + 46 + name, extra), &e);
    if (e.local_header > b.size() || e.compressed > b.size() - e.local_header)
      corrupt("entry " + e.name + " extends past the end of the file");
    entries.push_back(std::move(e));
    at += 46 + name + extra + comment;
  }
  return entries;
}

std::string_view zip_entry_data(std::string_view b, const ZipEntry& e) {
  // torch.save stores records uncompressed (and 64-byte aligned, for mmap).
  if (e.method != 0 || e.compressed != e.size)
    corrupt("entry " + e.name + " is compressed; torch.save never compresses");
  if (le(b, e.local_header, 4) != 0x04034b50) corrupt("bad local header of " + e.name);
  uint64_t data =
      e.local_header + 30 + le(b, e.local_header + 26, 2) + le(b, e.local_header + 28, 2);
  if (data > b.size() || e.size > b.size() - data)
    corrupt("entry " + e.name + " extends past the end of the file");
  std::string_view bytes = b.substr(data, e.size);
  if (crc32(bytes) != e.crc) corrupt("CRC mismatch in " + e.name);
  return bytes;
}

}  // namespace tubelet::checkpoint
