// Python pickles as torch.save writes them, read and written without Python.
//
// A pickle becomes a tree of PyObject nodes owned by one PickleArena. Nodes refer to each
// other by raw pointer: a pickle may share one object in several places (its memo) or even
// build cycles, and the arena frees them all at once whatever their shape. Python objects
// with no meaning here (classes we do not know) are kept as opaque Object nodes, so a
// checkpoint whose meta holds them still loads.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tubelet::checkpoint {

// Anything wrong with a checkpoint file or with loading it into a model.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A numpy array unpickle() refuses (UnpickleOptions::numpy_arrays), with the facts a caller
// may word its own message from: `bad_dtype` and the dtype's code `dtype` ("O8", "c16") when
// that is why; otherwise data that do not fill the shape: its `numel` elements of `item_size`
// bytes, and the `data_size` bytes given. Other malformed arrays are plain CheckpointErrors.
class NumpyArrayError : public CheckpointError {
 public:
  using CheckpointError::CheckpointError;
  bool bad_dtype = false;
  std::string dtype;
  int64_t numel = 0;
  size_t item_size = 0, data_size = 0;
};

struct PyObject {
  enum class Kind {
    None,
    Bool,
    Int,
    BigInt,
    Float,
    Str,
    Bytes,
    List,
    Tuple,
    Set,
    Dict,
    Tensor,   // a tensor (a view of a Storage until the storages are read)
    Storage,  // a torch storage named by a persistent id
    Global,   // a class or function: s is "module.name"
    Object,   // an instance of a class we keep opaque: s is its class
  };
  Kind kind = Kind::None;
  int64_t i = 0;  // Bool, Int; Storage: numel
  double f = 0;   // Float
  std::string
      s;  // Str, Bytes, BigInt (little-endian two's complement), Global, Object, Storage key
  std::vector<PyObject*> items;                          // List, Tuple, Set, Object (appended)
  std::vector<std::pair<PyObject*, PyObject*>> entries;  // Dict, Object (set items)
  PyObject* args = nullptr;                              // Object: the constructor's arguments
  PyObject* state = nullptr;                             // Object: what BUILD gave it
  // Tensor: the storage, element offset, sizes and strides; `tensor` once materialised.
  // Storage: `tensor` is its data (1-D, typed); `storage` the base of a legacy view.
  PyObject* storage = nullptr;
  int64_t offset = 0;
  std::vector<int64_t> sizes, strides;
  c10::ScalarType dtype = c10::ScalarType::Undefined;
  torch::Tensor tensor;

  bool is(Kind k) const { return kind == k; }
  // The value of a str key of a Dict, or nullptr.
  const PyObject* get(std::string_view key) const;
  // "int", "str", "OrderedDict"-like names for messages.
  std::string type_name() const;
};

// Owns every node of one or more pickles, and knows the storages they refer to.
class PickleArena {
 public:
  PyObject* make(PyObject::Kind kind);
  size_t size() const { return nodes_.size(); }
  // Storage nodes by key, and every Tensor node, in the order the pickles made them.
  std::map<std::string, PyObject*> storages;
  std::vector<PyObject*> tensors;

 private:
  std::vector<std::unique_ptr<PyObject>> nodes_;
};

// A pickled object with the arena that keeps it alive. Copies share the arena.
struct Pickle {
  std::shared_ptr<PickleArena> arena;
  const PyObject* root = nullptr;
};

// Reads one pickle from the start of `data` into `arena`; returns the root and sets
// `*consumed` to the bytes up to and including STOP. Persistent ids ('storage', type, key,
// location, numel[, view]) become Storage nodes of `arena` without data. Errors are
// CheckpointError("truncated pickle at byte N", ...), with byte offsets counted from
// `base_offset`. Memory is bounded by a constant times data.size().
PyObject* unpickle(std::string_view data, PickleArena& arena, size_t* consumed,
                   size_t base_offset = 0);

// What unpickle() makes of the objects it can interpret beyond torch's.
struct UnpickleOptions {
  // numpy arrays (ndarray.__reduce_ex__: numpy.core.multiarray._reconstruct(numpy.ndarray, (0,),
  // b'b') and BUILD with (version, shape, dtype, is_fortran, raw bytes), or protocol 5's
  // numpy.core.numeric._frombuffer(buffer, dtype, shape, order); numpy._core spellings too)
  // become Tensor nodes whose `tensor` is a contiguous CPU copy (not listed in arena.tensors).
  // Dtypes: bool, uint8, int8/16/32/64, float16/32/64, either byte order; others (object,
  // str, complex, uint16+, structured) and data that do not match the shape are
  // CheckpointErrors. Off (the default), arrays stay opaque Object nodes.
  bool numpy_arrays = false;
};
PyObject* unpickle(std::string_view data, PickleArena& arena, size_t* consumed, size_t base_offset,
                   const UnpickleOptions& options);

// A whole pickle (pickle.load, as mmcv.load reads a .pkl) with numpy arrays as tensors.
// Errors are CheckpointError("NAME: what is wrong at byte N").
Pickle load_pickle(std::string_view data, const std::string& name);
// The same from a file; a file that cannot be read is a CheckpointError naming it.
Pickle load_pickle_file(const std::string& path);

// Gives every Tensor node of the arena its view of its storage's data, after checking that
// the view fits in the storage. Storages without data are an error.
void materialize_tensors(PickleArena& arena);

// Writes `root` as a protocol-2 pickle the way torch.save does; tensors become
// _rebuild_tensor_v2 calls on persistent ids ('storage', torch.XStorage, key, 'cpu', numel).
// Each distinct Tensor node gets its own storage key ("0", "1", ...): `storages` receives
// them (contiguous, CPU) in key order.
std::string pickle(const PyObject& root, std::vector<torch::Tensor>* storages);

// Helpers to build trees for pickle().
PyObject* make_str(PickleArena& arena, std::string s);
PyObject* make_int(PickleArena& arena, int64_t v);
PyObject* make_tensor(PickleArena& arena, torch::Tensor t);

}  // namespace tubelet::checkpoint
