// Reading .pth files: torch.save's zip format (data.pkl + data/<key> records) and the legacy
// format (five pickles back to back, then the raw bytes of every storage).
#include <cstring>
#include <fstream>
#include <sstream>

#include "checkpoint/zip_directory.h"
#include "tubelet/checkpoint/pth.h"

namespace tubelet::checkpoint {
namespace {

using KindPthReader = PyObject::Kind;

// Copies a storage's bytes into a fresh typed 1-D tensor of its declared length.
void fill_storage(PyObject* s, const void* data, uint64_t nbytes, int64_t numel) {
  uint64_t elem = c10::elementSize(s->dtype);
  if (numel < 0 || static_cast<uint64_t>(numel) > nbytes / elem)
    throw CheckpointError("storage " + s->s + " holds " + std::to_string(nbytes) +
                          " bytes, fewer than its " + std::to_string(numel) + " elements");
  s->tensor = torch::empty({numel}, torch::TensorOptions().dtype(s->dtype));
  if (numel > 0) std::memcpy(s->tensor.data_ptr(), data, numel * elem);
}

// The records of a torch.save archive, "<archive>/data.pkl" and "<archive>/data/<key>": the
// top folder's name varies (the file's stem in old versions, "archive" now).
class ZipRecords {
 public:
  explicit ZipRecords(std::string_view bytes) : bytes_(bytes), entries_(read_zip_directory(bytes)) {
    if (entries_.empty()) throw CheckpointError("empty zip archive: not a torch.save file");
    prefix_ = entries_[0].name.substr(0, entries_[0].name.find('/') + 1);
  }
  const ZipEntry* find(const std::string& record) const {
    for (const ZipEntry& e : entries_)
      if (e.name.size() == prefix_.size() + record.size() &&
          e.name.compare(0, prefix_.size(), prefix_) == 0 &&
          e.name.compare(prefix_.size(), std::string::npos, record) == 0)
        return &e;
    return nullptr;
  }
  std::string_view data(const ZipEntry& e) const { return zip_entry_data(bytes_, e); }

 private:
  std::string_view bytes_;
  std::vector<ZipEntry> entries_;
  std::string prefix_;
};

Pickle read_zip(std::string_view bytes) {
  ZipRecords records(bytes);
  const ZipEntry* pkl = records.find("data.pkl");
  if (!pkl) throw CheckpointError("zip archive without data.pkl: not a torch.save file");
  auto arena = std::make_shared<PickleArena>();
  size_t used = 0;
  PyObject* root = unpickle(records.data(*pkl), *arena, &used);
  for (auto& [key, s] : arena->storages) {
    if (s->storage) throw CheckpointError("storage view " + key + " in a zip checkpoint");
    const ZipEntry* record = records.find("data/" + key);
    if (!record) throw CheckpointError("missing storage record data/" + key);
    std::string_view data = records.data(*record);
    fill_storage(s, data.data(), data.size(), s->i);
  }
  materialize_tensors(*arena);
  return {arena, root};
}

// torch.serialization's legacy MAGIC_NUMBER 0x1950a86a20f9469cfc6c, as LONG1 bytes.
bool is_legacy_magic(const PyObject* o) {
  static const std::string magic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
  return o->kind == KindPthReader::BigInt && o->s == magic;
}

PyObject* next_pickle(std::string_view bytes, size_t* pos, PickleArena& arena) {
  size_t used = 0;
  PyObject* o = unpickle(bytes.substr(*pos), arena, &used, *pos);
  *pos += used;
  return o;
}

// Legacy storages: for each listed key, an int64 element count and the raw bytes.
void read_legacy_storages(std::string_view bytes, size_t pos, const PyObject* keys,
                          PickleArena& arena) {
  if (keys->kind != KindPthReader::List)
    throw CheckpointError("legacy checkpoint: bad storage key list");
  for (const PyObject* key : keys->items) {
    auto it = key->kind == KindPthReader::Str ? arena.storages.find(key->s) : arena.storages.end();
    if (it == arena.storages.end() || it->second->storage)
      throw CheckpointError("legacy checkpoint: storage key not used by any tensor");
    if (bytes.size() - pos < 8)
      throw CheckpointError("truncated storage data at byte " + std::to_string(pos));
    int64_t numel;
    std::memcpy(&numel, bytes.data() + pos, 8);
    pos += 8;
    uint64_t elem = c10::elementSize(it->second->dtype);
    if (numel < 0 || static_cast<uint64_t>(numel) > (bytes.size() - pos) / elem)
      throw CheckpointError("truncated storage data at byte " + std::to_string(pos));
    fill_storage(it->second, bytes.data() + pos, numel * elem, numel);
    pos += numel * elem;
  }
  // Views of a root storage (view_metadata in old files).
  for (auto& [key, s] : arena.storages) {
    if (!s->storage) continue;
    const torch::Tensor& base = s->storage->tensor;
    if (!base.defined() || s->offset < 0 || s->i < 0 || s->offset > base.numel() ||
        s->i > base.numel() - s->offset)
      throw CheckpointError("legacy checkpoint: storage view " + key + " outside its storage");
    s->tensor = base.narrow(0, s->offset, s->i);
  }
}

Pickle read_legacy(std::string_view bytes) {
  auto arena = std::make_shared<PickleArena>();
  size_t pos = 0;
  if (!is_legacy_magic(next_pickle(bytes, &pos, *arena)))
    throw CheckpointError("not a PyTorch checkpoint: bad magic number");
  const PyObject* protocol = next_pickle(bytes, &pos, *arena);
  if (protocol->kind != KindPthReader::Int || protocol->i != 1001)
    throw CheckpointError("unsupported legacy protocol version");
  const PyObject* sys_info = next_pickle(bytes, &pos, *arena);
  const PyObject* little = sys_info->get("little_endian");
  if (little && little->kind == KindPthReader::Bool && !little->i)
    throw CheckpointError("big-endian checkpoints are not supported");
  PyObject* root = next_pickle(bytes, &pos, *arena);
  const PyObject* keys = next_pickle(bytes, &pos, *arena);
  read_legacy_storages(bytes, pos, keys, *arena);
  materialize_tensors(*arena);
  return {arena, root};
}

Pickle read_any(std::string_view bytes) {
  if (bytes.size() >= 4 && (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4) ||
                            bytes.substr(0, 4) == std::string_view("PK\x05\x06", 4)))
    return read_zip(bytes);
  if (!bytes.empty() && static_cast<uint8_t>(bytes[0]) == 0x80) return read_legacy(bytes);
  throw CheckpointError("not a PyTorch checkpoint: neither a zip archive nor a pickle");
}

}  // namespace

Pickle read_pth_bytes(std::string_view bytes, const std::string& name) {
  try {
    return read_any(bytes);
  } catch (const CheckpointError& e) {
    throw CheckpointError("checkpoint " + name + ": " + e.what());
  } catch (const c10::Error& e) {  // LibTorch's own errors (e.g. out of memory)
    throw CheckpointError("checkpoint " + name + ": " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw CheckpointError("checkpoint " + name + ": " + e.what());
  }
}

Pickle read_pth(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError("checkpoint " + path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw CheckpointError("checkpoint " + path + ": read error");
  std::string bytes = text.str();
  return read_pth_bytes(bytes, path);
}

}  // namespace tubelet::checkpoint
