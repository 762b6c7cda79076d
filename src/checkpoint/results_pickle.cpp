// Results pickles: a writer that gives CPython's own bytes for protocol 2 (its C pickler's memo,
// opcodes and batches) and a reader of what unpickle() makes of them, numpy arrays included.
#include "tubelet/checkpoint/results_pickle.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "checkpoint/latin1.h"
#include "tubelet/checkpoint/pickle.h"

// The helpers' own namespace: in a unity build, unpickler.cpp's helpers share this file's.
namespace tubelet::checkpoint::results_pickle_impl {
namespace {

// ------------------------------------------------------------------ writing

constexpr size_t kBatch = 1000;  // pickle's BATCHSIZE for APPENDS and SETITEMS
constexpr int kMaxDepth = 1000;

struct NumpyType {
  const char* code;  // the dtype's reduce argument: "f4"
  char order;        // its byte order in the state: '<', or '|' for one-byte types
};

NumpyType numpy_type(c10::ScalarType t) {
  switch (t) {
    case c10::kFloat:
      return {"f4", '<'};
    case c10::kDouble:
      return {"f8", '<'};
    case c10::kHalf:
      return {"f2", '<'};
    case c10::kLong:
      return {"i8", '<'};
    case c10::kInt:
      return {"i4", '<'};
    case c10::kShort:
      return {"i2", '<'};
    case c10::kChar:
      return {"i1", '|'};
    case c10::kByte:
      return {"u1", '|'};
    case c10::kBool:
      return {"b1", '|'};
    default:
      throw std::invalid_argument(std::string("cannot write numpy arrays of type ") +
                                  c10::toString(t));
  }
}

// CPython hands out one object for the empty str and each one-character Latin-1 str (and the
// same for bytes), so the pickler meets them again in its memo.
bool is_single_char(std::string_view s) {
  return s.size() <= 1 || (s.size() == 2 && (static_cast<uint8_t>(s[0]) == 0xC2 ||
                                             static_cast<uint8_t>(s[0]) == 0xC3));
}

// Emits what CPython's _pickle.Pickler(protocol=2) emits. Objects Python would share (globals,
// the float32 dtype, interned strings, single-character str and bytes) are memo keys; every
// other object is fresh and only takes the next memo index.
class PythonPickler {
 public:
  PythonPickler() : out_("\x80\x02", 2) {}

  std::string finish() {
    op('.');
    return std::move(out_);
  }

  void value(const Value& v, int depth) {
    if (depth > kMaxDepth) throw std::invalid_argument("value too deeply nested to pickle");
    switch (v.type()) {
      case Value::Type::None:
        op('N');
        return;
      case Value::Type::Bool:
        op(v.as_bool() ? '\x88' : '\x89');
        return;
      case Value::Type::Int:
        integer(v.as_int());
        return;
      case Value::Type::Float:
        real(v.as_float());
        return;
      case Value::Type::Str:
        str(v.as_str(), false);
        return;
      case Value::Type::List:
        list(v.as_list().size(), [&](size_t i) { value(v.as_list()[i], depth + 1); });
        return;
      case Value::Type::Tuple:
        tuple(v.as_list().size(), [&](size_t i) { value(v.as_list()[i], depth + 1); });
        return;
      case Value::Type::Dict: {
        const auto& items = v.as_dict().items();
        dict(items.size(), [&](size_t i) {
          const Value& key = items[i].first;
          if (key.is_str())
            str(key.as_str(), true);
          else
            value(key, depth + 1);
          value(items[i].second, depth + 1);
        });
        return;
      }
      case Value::Type::Range:
        throw std::invalid_argument("cannot pickle a range in a results file");
    }
  }

  // numpy 1.x's ndarray.__reduce__: _reconstruct(ndarray, (0,), b'b') with the state
  // (1, shape, dtype, is_fortran, raw bytes). `t` is contiguous and on the CPU.
  void array(const torch::Tensor& t) {
    const NumpyType type = numpy_type(t.scalar_type());
    global("numpy.core.multiarray", "_reconstruct");
    tuple(3, [&](size_t i) {
      if (i == 0) global("numpy", "ndarray");
      if (i == 1) tuple(1, [&](size_t) { integer(0); });
      if (i == 2) bytes("b");
    });
    op('R');
    memoize();
    tuple(5, [&](size_t i) {
      if (i == 0) integer(1);
      if (i == 1) tuple(t.dim(), [&](size_t d) { integer(t.size(static_cast<int64_t>(d))); });
      if (i == 2) dtype(type);
      if (i == 3) op('\x89');
      if (i == 4)
        bytes(
            std::string_view(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size()));
    });
    op('b');
  }

  template <class Item>
  void list(size_t n, Item&& item) {
    op(']');
    memoize();
    batches(n, item, 'a', 'e');
  }

  // The opcode writers below are public too: pickle_records composes them.
  void op(char c) { out_ += c; }
  void le(uint64_t v, int n) {
    for (int k = 0; k < n; ++k) out_ += static_cast<char>((v >> (8 * k)) & 0xFF);
  }

  // BINPUT / LONG_BINPUT of the next index; `key` names an object Python would share.
  void memoize(const std::string& key = {}) {
    const size_t index = next_++;
    if (index < 256) {
      op('q');
      le(index, 1);
    } else {
      op('r');
      le(index, 4);
    }
    if (!key.empty()) memo_.emplace(key, index);
  }
  // BINGET / LONG_BINGET when `key` is in the memo.
  bool recall(const std::string& key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) return false;
    if (it->second < 256) {
      op('h');
      le(it->second, 1);
    } else {
      op('j');
      le(it->second, 4);
    }
    return true;
  }

  // save_long: BININT1, BININT2, BININT within 32 bits, else LONG1 of the fewest bytes.
  void integer(int64_t v) {
    if (v >= 0 && v <= 0xFF) {
      op('K');
      le(static_cast<uint64_t>(v), 1);
    } else if (v >= 0 && v <= 0xFFFF) {
      op('M');
      le(static_cast<uint64_t>(v), 2);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      op('J');
      le(static_cast<uint64_t>(v), 4);
    } else {
      const uint64_t magnitude =
          v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v);
      const int bits = 64 - __builtin_clzll(magnitude);
      size_t n = static_cast<size_t>(bits / 8 + 1);
      std::string raw;
      for (size_t k = 0; k < n; ++k)
        raw += static_cast<char>(k < 8   ? (static_cast<uint64_t>(v) >> (8 * k)) & 0xFF
                                 : v < 0 ? 0xFF
                                         : 0);
      if (v < 0 && n > 1 && static_cast<uint8_t>(raw[n - 1]) == 0xFF &&
          (static_cast<uint8_t>(raw[n - 2]) & 0x80))
        --n;
      op('\x8a');
      le(n, 1);
      out_.append(raw, 0, n);
    }
  }

  void real(double x) {
    uint64_t bits;
    std::memcpy(&bits, &x, 8);
    op('G');
    for (int k = 7; k >= 0; --k) out_ += static_cast<char>((bits >> (8 * k)) & 0xFF);
  }

  // BINUNICODE of UTF-8 text; `shared`: an object Python reuses (a literal dict key).
  void str(std::string_view s, bool shared) {
    shared = shared || is_single_char(s);
    const std::string key = shared ? "s:" + std::string(s) : std::string();
    if (shared && recall(key)) return;
    op('X');
    le(s.size(), 4);
    out_ += s;
    memoize(key);
  }

  // GLOBAL module\nname\n, once; protocol 2 names builtins as Python 2 did.
  void global(const std::string& module, const std::string& name) {
    const std::string key = "g:" + module + "." + name;
    if (recall(key)) return;
    op('c');
    out_ += (module == "builtins" ? std::string("__builtin__") : module) + "\n" + name + "\n";
    memoize(key);
  }

  // Protocol 2 has no bytes opcode: _codecs.encode(latin-1 text, 'latin1'), b'' as bytes().
  void bytes(std::string_view b) {
    const bool shared = b.size() <= 1;
    const std::string key = shared ? "b:" + std::string(b) : std::string();
    if (shared && recall(key)) return;
    if (b.empty()) {
      global("builtins", "bytes");
      op(')');
    } else {
      global("_codecs", "encode");
      const std::string text = latin1_as_utf8(b);
      tuple(2, [&](size_t i) { i == 0 ? str(text, false) : str("latin1", true); });
    }
    op('R');
    memoize(key);
  }

  // numpy.dtype(code, False, True) with its state (3, order, None, None, None, -1, -1, 0); one
  // object per type, as numpy's built-in dtypes are.
  void dtype(const NumpyType& type) {
    const std::string key = std::string("d:") + type.code;
    if (recall(key)) return;
    global("numpy", "dtype");
    tuple(3, [&](size_t i) {
      if (i == 0) str(type.code, false);
      if (i == 1) op('\x89');
      if (i == 2) op('\x88');
    });
    op('R');
    memoize(key);
    tuple(8, [&](size_t i) {
      if (i == 0) integer(3);
      if (i == 1) str(std::string(1, type.order), false);
      if (i >= 2 && i <= 4) op('N');
      if (i == 5 || i == 6) integer(-1);
      if (i == 7) integer(0);
    });
    op('b');
  }

  // EMPTY_TUPLE; TUPLE1-3; MARK ... TUPLE. Non-empty tuples are memoised.
  template <class Item>
  void tuple(size_t n, Item&& item) {
    if (n == 0) {
      op(')');
      return;
    }
    if (n > 3) op('(');
    for (size_t i = 0; i < n; ++i) item(i);
    op(n > 3 ? 't' : static_cast<char>(0x84 + n));
    memoize();
  }

  template <class Item>
  void dict(size_t n, Item&& item) {
    op('}');
    memoize();
    batches(n, item, 's', 'u');
  }

  // The C pickler's batch_list_exact / batch_dict_exact: one item alone with APPEND/SETITEM,
  // otherwise batches of 1000 between MARK and APPENDS/SETITEMS.
  template <class Item>
  void batches(size_t n, Item&& item, char one, char many) {
    if (n == 1) {
      item(0);
      op(one);
      return;
    }
    for (size_t i = 0; i < n;) {
      op('(');
      for (size_t end = std::min(n, i + kBatch); i < end; ++i) item(i);
      op(many);
    }
  }

 private:
  std::string out_;
  size_t next_ = 0;
  std::unordered_map<std::string, size_t> memo_;
};

// ------------------------------------------------------------------ reading

using Kind = PyObject::Kind;

bool is_seq(const PyObject* o) {
  return o && (o->kind == Kind::Tuple || o->kind == Kind::List);
}

// A numpy array, as unpickle() with numpy_arrays gives it (a torch tensor, which only a
// persistent id could make, has no data here).
bool is_array(const PyObject* o) {
  return o->kind == Kind::Tensor && o->tensor.defined();
}

class Reader {
 public:
  explicit Reader(const std::string& what) : what_(what) {}

  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error(what_ + ": " + why);
  }

  Value value(const PyObject* o, int depth) {
    if (depth > kMaxDepth) fail("results nested too deeply");
    switch (o->kind) {
      case Kind::None:
        return Value();
      case Kind::Bool:
        return Value(o->i != 0);
      case Kind::Int:
        return Value(o->i);
      case Kind::Float:
        return Value(o->f);
      case Kind::Str:
        return Value(o->s);
      case Kind::List:
      case Kind::Tuple: {
        List items;
        for (const PyObject* item : o->items) items.push_back(value(item, depth + 1));
        return o->kind == Kind::List ? Value::list(std::move(items))
                                     : Value::tuple(std::move(items));
      }
      case Kind::Dict: {
        Dict d;
        for (const auto& [k, v] : o->entries) {
          Value key = value(k, depth + 1);
          try {
            d.set(key, value(v, depth + 1));
          } catch (const ConfigError& e) {
            fail(std::string("a dict key: ") + e.what());
          }
        }
        return Value(std::move(d));
      }
      case Kind::Tensor:
        if (is_array(o)) return tolist(o->tensor);
        break;
      case Kind::Object:
        if (o->s == "numpy.core.multiarray._reconstruct" ||
            o->s == "numpy._core.multiarray._reconstruct")
          not_an_array(o);
        break;
      default:
        break;
    }
    fail("cannot read a " +
         (o->kind == Kind::BigInt ? std::string("int beyond 64 bits") : o->type_name()) +
         " object in a results file");
  }

 private:
  // A _reconstruct the unpickler left as it was: an ndarray subclass, or no array at all.
  [[noreturn]] void not_an_array(const PyObject* o) const {
    const PyObject* a = o->args;
    if (!is_seq(a) || a->items.empty() || a->items[0]->kind != Kind::Global)
      fail("malformed numpy array (_reconstruct arguments)");
    if (a->items[0]->s != "numpy.ndarray")
      fail("cannot read a " + a->items[0]->s + " array in a results file");
    fail("malformed numpy array (_reconstruct without its state)");
  }

  // numpy's tolist(): nested lists of Python numbers.
  static Value tolist(const torch::Tensor& t) {
    if (t.dim() == 0) {
      if (t.scalar_type() == c10::kBool) return Value(t.item<bool>());
      if (c10::isFloatingType(t.scalar_type())) return Value(t.item<double>());
      return Value(t.item<int64_t>());
    }
    List items;
    for (int64_t i = 0; i < t.size(0); ++i) items.push_back(tolist(t[i]));
    return Value::list(std::move(items));
  }

  const std::string& what_;
};

}  // namespace
}  // namespace tubelet::checkpoint::results_pickle_impl

namespace tubelet::checkpoint {

std::string pickle_arrays(const torch::Tensor& rows) {
  if (rows.dim() == 0)
    throw std::invalid_argument("pickle_arrays: rows must have a first dimension");
  const torch::Tensor t = rows.detach().to(torch::kCPU).contiguous();
  results_pickle_impl::numpy_type(
      t.scalar_type());  // an unsupported type fails before anything is written
  results_pickle_impl::PythonPickler p;
  p.list(static_cast<size_t>(t.size(0)), [&](size_t i) { p.array(t[static_cast<int64_t>(i)]); });
  return p.finish();
}

std::string pickle_value(const Value& value) {
  results_pickle_impl::PythonPickler p;
  p.value(value, 0);
  return p.finish();
}

std::string pickle_records(const std::vector<PickleRecord>& records) {
  std::vector<std::vector<torch::Tensor>> arrays(records.size());
  for (size_t r = 0; r < records.size(); ++r)
    for (const auto& [key, array] : records[r].arrays) {
      arrays[r].push_back(array.detach().to(torch::kCPU).contiguous());
      results_pickle_impl::numpy_type(arrays[r].back().scalar_type());  // fails before writing
    }
  results_pickle_impl::PythonPickler p;
  p.list(records.size(), [&](size_t r) {
    const auto& values = records[r].values.items();
    const size_t n = values.size() + arrays[r].size();
    p.dict(n, [&](size_t i) {
      if (i < values.size()) {
        p.str(values[i].first.as_str(), true);
        p.value(values[i].second, 1);
      } else {
        p.str(records[r].arrays[i - values.size()].first, true);
        p.array(arrays[r][i - values.size()]);
      }
    });
  });
  return p.finish();
}

std::string pickle_array_dict(const std::vector<std::pair<std::string, torch::Tensor>>& arrays) {
  std::vector<torch::Tensor> tensors;
  std::unordered_set<std::string> keys;
  for (const auto& [key, array] : arrays) {
    if (!keys.insert(key).second)
      throw std::invalid_argument("pickle_array_dict: the key '" + key + "' is given twice");
    tensors.push_back(array.detach().to(torch::kCPU).contiguous());
    results_pickle_impl::numpy_type(tensors.back().scalar_type());  // fails before writing
  }
  results_pickle_impl::PythonPickler p;
  p.dict(arrays.size(), [&](size_t i) {
    p.str(arrays[i].first, false);
    p.array(tensors[i]);
  });
  return p.finish();
}

UnpickledResults unpickle_results(std::string_view data, const std::string& what) {
  PickleArena arena;
  const PyObject* root = nullptr;
  try {
    size_t consumed = 0;  // as pickle.load, what follows the STOP is not read
    UnpickleOptions options;
    options.numpy_arrays = true;
    root = unpickle(data, arena, &consumed, 0, options);
  } catch (const NumpyArrayError& e) {  // the words results files have always used
    if (e.bad_dtype)
      throw std::runtime_error(what + ": cannot read numpy arrays of dtype '" + e.dtype +
                               "' in a results file (bool, int, uint8 and float arrays only)");
    throw std::runtime_error(what + ": malformed numpy array: " + std::to_string(e.data_size) +
                             " bytes for " + std::to_string(e.numel) + " elements of " +
                             std::to_string(e.item_size) + " bytes");
  } catch (const CheckpointError& e) {
    throw std::runtime_error(what + ": " + e.what());
  }
  results_pickle_impl::Reader reader(what);
  UnpickledResults out;
  if (results_pickle_impl::is_seq(root) &&
      std::all_of(root->items.begin(), root->items.end(), results_pickle_impl::is_array)) {
    std::vector<torch::Tensor> rows;
    for (const PyObject* item : root->items) {
      rows.push_back(item->tensor);
      if (rows.back().sizes() != rows.front().sizes())
        reader.fail("the arrays differ in shape (item 0: " + c10::str(rows.front().sizes()) +
                    ", item " + std::to_string(rows.size() - 1) + ": " +
                    c10::str(rows.back().sizes()) + ")");
    }
    out.rows = rows.empty() ? torch::empty({0}) : torch::stack(rows);
    if (!rows.empty()) return out;
  }
  out.value = reader.value(root, 0);
  return out;
}

}  // namespace tubelet::checkpoint
