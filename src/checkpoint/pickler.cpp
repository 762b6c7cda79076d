// Writing a PyObject tree as a protocol-2 pickle, the way torch.save does (torch's
// DEFAULT_PROTOCOL is 2), so Python's torch.load and our reader both take it.
#include <cstring>
#include <unordered_map>

#include "checkpoint/latin1.h"
#include "tubelet/checkpoint/pickle.h"

namespace tubelet::checkpoint {
namespace {

using Kind = PyObject::Kind;

constexpr int kMaxDepth = 1000;  // deeper is a cycle, never real data

const char* storage_name(c10::ScalarType t) {
  switch (t) {
    case c10::kFloat:
      return "FloatStorage";
    case c10::kDouble:
      return "DoubleStorage";
    case c10::kHalf:
      return "HalfStorage";
    case c10::kBFloat16:
      return "BFloat16Storage";
    case c10::kLong:
      return "LongStorage";
    case c10::kInt:
      return "IntStorage";
    case c10::kShort:
      return "ShortStorage";
    case c10::kChar:
      return "CharStorage";
    case c10::kByte:
      return "ByteStorage";
    case c10::kBool:
      return "BoolStorage";
    case c10::kComplexFloat:
      return "ComplexFloatStorage";
    case c10::kComplexDouble:
      return "ComplexDoubleStorage";
    default:
      throw CheckpointError(std::string("cannot save tensors of type ") + c10::toString(t));
  }
}

class Pickler {
 public:
  explicit Pickler(std::vector<torch::Tensor>* storages) : storages_(storages) {}

  std::string run(const PyObject& root) {
    out_ = "\x80\x02";
    emit(root, 0);
    out_ += '.';
    return out_;
  }

 private:
  void op(char c) { out_ += c; }
  void le(uint64_t v, int n) {
    for (int k = 0; k < n; ++k) out_ += static_cast<char>((v >> (8 * k)) & 0xFF);
  }
  void str(const std::string& s) {
    op('X');
    le(s.size(), 4);
    out_ += s;
  }
  void integer(int64_t v) {
    if (v >= INT32_MIN && v <= INT32_MAX) {
      op('J');
      le(static_cast<uint64_t>(v), 4);
    } else {
      op('\x8a');
      op('\x08');
      le(static_cast<uint64_t>(v), 8);
    }
  }
  void real(double x) {
    uint64_t bits;
    std::memcpy(&bits, &x, 8);
    op('G');
    for (int k = 7; k >= 0; --k) out_ += static_cast<char>((bits >> (8 * k)) & 0xFF);
  }
  void global(const std::string& dotted) {
    size_t dot = dotted.rfind('.');
    std::string module = dot == std::string::npos ? "builtins" : dotted.substr(0, dot);
    op('c');
    out_ += module + "\n" + dotted.substr(dot == std::string::npos ? 0 : dot + 1) + "\n";
  }
  // Bytes in protocol 2 are _codecs.encode(latin-1 text, 'latin1'), as Python writes them.
  void bytes(const std::string& b) {
    global("_codecs.encode");
    const std::string text = latin1_as_utf8(b);
    op('(');
    str(text);
    str("latin1");
    op('t');
    op('R');
  }
  void sequence(const std::vector<PyObject*>& items, int depth) {
    for (const PyObject* o : items) emit(*o, depth + 1);
  }
  // Like Python's pickler, every container is written once and referred to by memo after:
  // shared nodes stay shared and cycles through lists and dicts end.
  void memoize(const PyObject& o) {
    op('r');
    le(memo_.size(), 4);
    memo_.emplace(&o, memo_.size());
  }
  void dict(const PyObject& d, int depth) {
    if (d.s == "OrderedDict") {
      global("collections.OrderedDict");
      op(')');
      op('R');
    } else {
      op('}');
    }
    memoize(d);
    if (d.entries.empty()) return;
    op('(');
    for (const auto& [k, v] : d.entries) {
      emit(*k, depth + 1);
      emit(*v, depth + 1);
    }
    op('u');
  }
  void tensor(const PyObject& t);
  void object(const PyObject& o, int depth) {
    global(o.s);
    if (o.args) {
      emit(*o.args, depth + 1);
    } else {
      op(')');
    }
    op('R');
    if (o.state) {
      emit(*o.state, depth + 1);
      op('b');
    }
  }
  void emit(const PyObject& o, int depth);

  std::string out_;
  std::vector<torch::Tensor>* storages_;
  std::unordered_map<const PyObject*, size_t> keys_;
  std::unordered_map<const PyObject*, size_t> memo_;
};

void Pickler::tensor(const PyObject& node) {
  if (!node.tensor.defined()) throw CheckpointError("cannot save an undefined tensor");
  auto [it, fresh] = keys_.emplace(&node, storages_->size());
  torch::Tensor t = node.tensor.detach().to(torch::kCPU).contiguous();
  if (fresh) storages_->push_back(t);
  global("torch._utils._rebuild_tensor_v2");
  op('(');
  op('(');  // the persistent id of the storage
  str("storage");
  global(std::string("torch.") + storage_name(t.scalar_type()));
  str(std::to_string(it->second));
  str("cpu");
  integer(t.numel());
  op('t');
  op('Q');
  integer(0);
  op('(');
  for (int64_t s : t.sizes()) integer(s);
  op('t');
  op('(');
  for (int64_t s : t.strides()) integer(s);
  op('t');
  op('\x89');  // requires_grad=False
  global("collections.OrderedDict");
  op(')');
  op('R');
  op('t');
  op('R');
}

void Pickler::emit(const PyObject& o, int depth) {
  if (depth > kMaxDepth) throw CheckpointError("object too deep to save (a cycle?)");
  if (auto it = memo_.find(&o); it != memo_.end()) {
    op('j');
    le(it->second, 4);
    return;
  }
  switch (o.kind) {
    case Kind::None:
      op('N');
      return;
    case Kind::Bool:
      op(o.i ? '\x88' : '\x89');
      return;
    case Kind::Int:
      integer(o.i);
      return;
    case Kind::BigInt:
      if (o.s.size() > 255) throw CheckpointError("integer too large to save");
      op('\x8a');
      op(static_cast<char>(o.s.size()));
      out_ += o.s;
      return;
    case Kind::Float:
      real(o.f);
      return;
    case Kind::Str:
      str(o.s);
      return;
    case Kind::Bytes:
      bytes(o.s);
      return;
    case Kind::List:
      op(']');
      memoize(o);
      if (o.items.empty()) return;
      op('(');
      sequence(o.items, depth);
      op('e');
      return;
    case Kind::Tuple:
      op('(');
      sequence(o.items, depth);
      op('t');
      break;
    case Kind::Set:
      global("builtins.set");
      op('(');
      op(']');
      op('(');
      sequence(o.items, depth);
      op('e');
      op('t');
      op('R');
      break;
    case Kind::Dict:
      dict(o, depth);
      return;
    case Kind::Tensor:
      tensor(o);
      break;
    case Kind::Global:
      global(o.s);
      return;
    case Kind::Object:
      object(o, depth);
      break;
    case Kind::Storage:
      throw CheckpointError("cannot save a bare storage");
  }
  memoize(o);  // the immutable ones, once complete
}

}  // namespace

std::string pickle(const PyObject& root, std::vector<torch::Tensor>* storages) {
  return Pickler(storages).run(root);
}

}  // namespace tubelet::checkpoint
