// A tolerant unpickler for the subset of pickle torch.save and numpy use (protocols 0-5 binary
// opcodes). Unknown classes become opaque Object nodes instead of errors; every malformed
// input is a CheckpointError naming the byte where it went wrong.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <unordered_map>

#include "tubelet/checkpoint/pickle.h"

namespace tubelet::checkpoint {

using Kind = PyObject::Kind;

const PyObject* PyObject::get(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k->kind == Kind::Str && k->s == key) return v;
  return nullptr;
}

std::string PyObject::type_name() const {
  static const char* names[] = {"NoneType", "bool",  "int", "int",  "float",  "str",    "bytes",
                                "list",     "tuple", "set", "dict", "Tensor", "Storage"};
  if (kind == Kind::Global || kind == Kind::Object) return s;
  return names[static_cast<int>(kind)];
}

PyObject* PickleArena::make(PyObject::Kind kind) {
  nodes_.push_back(std::make_unique<PyObject>());
  nodes_.back()->kind = kind;
  return nodes_.back().get();
}

PyObject* make_str(PickleArena& arena, std::string s) {
  PyObject* o = arena.make(Kind::Str);
  o->s = std::move(s);
  return o;
}

PyObject* make_int(PickleArena& arena, int64_t v) {
  PyObject* o = arena.make(Kind::Int);
  o->i = v;
  return o;
}

PyObject* make_tensor(PickleArena& arena, torch::Tensor t) {
  PyObject* o = arena.make(Kind::Tensor);
  o->tensor = std::move(t);
  return o;
}

namespace {

// Deeper than any real checkpoint, small enough that nothing here can run away.
constexpr size_t kMaxStack = size_t(1) << 24;
constexpr size_t kMaxDims = 64;

c10::ScalarType storage_dtype(const std::string& name) {
  static const std::map<std::string, c10::ScalarType> types = {
      {"torch.FloatStorage", c10::kFloat},
      {"torch.DoubleStorage", c10::kDouble},
      {"torch.HalfStorage", c10::kHalf},
      {"torch.BFloat16Storage", c10::kBFloat16},
      {"torch.LongStorage", c10::kLong},
      {"torch.IntStorage", c10::kInt},
      {"torch.ShortStorage", c10::kShort},
      {"torch.CharStorage", c10::kChar},
      {"torch.ByteStorage", c10::kByte},
      {"torch.BoolStorage", c10::kBool},
      {"torch.ComplexFloatStorage", c10::kComplexFloat},
      {"torch.ComplexDoubleStorage", c10::kComplexDouble}};
  auto it = types.find(name);
  return it == types.end() ? c10::ScalarType::Undefined : it->second;
}

bool is_int(const PyObject* o) {
  return o && (o->kind == Kind::Int || o->kind == Kind::Bool);
}
bool is_seq(const PyObject* o) {
  return o && (o->kind == Kind::Tuple || o->kind == Kind::List);
}

class Unpickler {
 public:
  Unpickler(std::string_view data, PickleArena& arena, size_t base, UnpickleOptions options)
      : data_(data),
        arena_(arena),
        base_(base),
        options_(options),
        budget_(16 * data.size() + 4096) {}

  PyObject* run(size_t* consumed) {
    while (true) {
      size_t at = pos_;
      uint8_t op = u8();
      if (op == '.') break;
      dispatch(op, at);
    }
    if (stack_.size() != 1 || !marks_.empty()) fail("malformed pickle: STOP with a bad stack");
    *consumed = pos_;
    return stack_.back();
  }

 private:
  [[noreturn]] void fail(const std::string& what, size_t at = SIZE_MAX) const {
    if (at == SIZE_MAX) at = pos_;
    throw CheckpointError(what + " at byte " + std::to_string(base_ + at));
  }
  std::string at_byte() const { return " at byte " + std::to_string(base_ + pos_); }

  // ---- reading the byte stream ----
  const char* take(uint64_t n) {
    if (n > data_.size() - pos_) fail("truncated pickle");
    const char* p = data_.data() + pos_;
    pos_ += n;
    return p;
  }
  uint8_t u8() { return static_cast<uint8_t>(*take(1)); }
  uint64_t uint_le(int n) {
    const char* p = take(n);
    uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) v = (v << 8) | static_cast<uint8_t>(p[k]);
    return v;
  }
  std::string bytes(uint64_t n) { return std::string(take(n), n); }
  std::string line() {
    size_t end = data_.find('\n', pos_);
    if (end == std::string_view::npos) fail("truncated pickle");
    std::string s(data_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }

  // ---- the stack ----
  void push(PyObject* o) {
    if (stack_.size() >= kMaxStack) fail("pickle stack too deep");
    stack_.push_back(o);
  }
  PyObject* pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
      fail("malformed pickle: stack underflow");
    PyObject* o = stack_.back();
    stack_.pop_back();
    return o;
  }
  PyObject*& top() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
      fail("malformed pickle: stack underflow");
    return stack_.back();
  }
  // Everything above the last MARK, removing it and the mark.
  std::vector<PyObject*> pop_mark() {
    if (marks_.empty()) fail("malformed pickle: no MARK");
    size_t m = marks_.back();
    marks_.pop_back();
    std::vector<PyObject*> items(stack_.begin() + m, stack_.end());
    stack_.resize(m);
    return items;
  }
  PyObject* make(Kind k) { return arena_.make(k); }
  // Copies of memoised data (a str reused by STACK_GLOBAL, a list passed to set()) could
  // grow quadratically with the file: their total is bounded by a multiple of its size.
  void charge(size_t n) {
    if (n > budget_) fail("malformed pickle: expands far beyond its size");
    budget_ -= n;
  }
  PyObject* seq(Kind k, std::vector<PyObject*> items) {
    PyObject* o = make(k);
    o->items = std::move(items);
    return o;
  }
  PyObject* memo_get(uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) fail("malformed pickle: memo key " + std::to_string(key) + " unset");
    return it->second;
  }

  void dispatch(uint8_t op, size_t at);
  void scalars(uint8_t op);
  void containers(uint8_t op, size_t at);
  void set_items(PyObject* target, const std::vector<PyObject*>& kv, size_t at);
  void append_items(PyObject* target, const std::vector<PyObject*>& items, size_t at);
  PyObject* global(std::string module, std::string name);
  PyObject* call(PyObject* callable, PyObject* args);
  PyObject* persistent(PyObject* pid);
  PyObject* rebuild_tensor(PyObject* args);
  PyObject* numpy_scalar(PyObject* args);
  PyObject* encode(PyObject* args);
  void build(PyObject* obj, PyObject* state);
  // numpy arrays (options_.numpy_arrays): `obj` made a Tensor node in place.
  void numpy_array(PyObject* obj, const PyObject* shape, const PyObject* dtype, bool fortran,
                   const PyObject* raw);
  c10::ScalarType numpy_dtype(const PyObject* dt, bool* big_endian);

  std::string_view data_;
  PickleArena& arena_;
  size_t base_;
  UnpickleOptions options_;
  size_t budget_;
  size_t pos_ = 0;
  std::vector<PyObject*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PyObject*> memo_;
};

PyObject* int_node(PickleArena& arena, int64_t v) {
  return make_int(arena, v);
}

// LONG1/LONG4: little-endian two's complement; wider than 64 bits stays a BigInt.
PyObject* long_node(PickleArena& arena, std::string raw) {
  if (raw.size() > 8) {
    PyObject* o = arena.make(Kind::BigInt);
    o->s = std::move(raw);
    return o;
  }
  uint64_t v = 0;
  for (size_t k = raw.size(); k-- > 0;) v = (v << 8) | static_cast<uint8_t>(raw[k]);
  if (!raw.empty() && raw.size() < 8 && (static_cast<uint8_t>(raw.back()) & 0x80))
    v |= ~uint64_t(0) << (8 * raw.size());  // sign-extend
  return int_node(arena, static_cast<int64_t>(v));
}

void Unpickler::scalars(uint8_t op) {
  switch (op) {
    case 'N':
      push(make(Kind::None));
      return;
    case 0x88:
    case 0x89: {
      PyObject* b = make(Kind::Bool);
      b->i = op == 0x88;
      push(b);
      return;
    }
    case 'J':
      push(int_node(arena_, static_cast<int32_t>(uint_le(4))));
      return;
    case 'K':
      push(int_node(arena_, static_cast<int64_t>(uint_le(1))));
      return;
    case 'M':
      push(int_node(arena_, static_cast<int64_t>(uint_le(2))));
      return;
    case 0x8a: {
      uint64_t n = uint_le(1);
      push(long_node(arena_, bytes(n)));
      return;
    }
    case 0x8b: {
      uint64_t n = uint_le(4);
      push(long_node(arena_, bytes(n)));
      return;
    }
    case 'G': {
      uint64_t bits = 0;
      const char* p = take(8);
      for (int k = 0; k < 8; ++k) bits = (bits << 8) | static_cast<uint8_t>(p[k]);
      PyObject* f = make(Kind::Float);
      std::memcpy(&f->f, &bits, 8);
      push(f);
      return;
    }
    case 'X':
    case 0x8c:
    case 0x8d:
    case 'T':
    case 'U': {
      uint64_t n = op == 0x8c || op == 'U' ? uint_le(1) : uint_le(op == 0x8d ? 8 : 4);
      push(make_str(arena_, bytes(n)));
      return;
    }
    case 'B':
    case 'C':
    case 0x8e:
    case 0x96: {
      uint64_t n = op == 'C' ? uint_le(1) : uint_le(op == 'B' ? 4 : 8);
      PyObject* b = make(Kind::Bytes);
      b->s = bytes(n);
      push(b);
      return;
    }
    case 'I':
    case 'L': {  // protocol 0 integers: "I01\n" is True in old pickles
      std::string text = line();
      if (!text.empty() && text.back() == 'L') text.pop_back();
      if (text == "01" || text == "00") {
        PyObject* b = make(Kind::Bool);
        b->i = text == "01";
        push(b);
        return;
      }
      char* end = nullptr;
      errno = 0;
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || errno) fail("malformed pickle: bad integer");
      push(int_node(arena_, v));
      return;
    }
  }
  fail("unsupported pickle opcode " + std::to_string(op));
}

void Unpickler::containers(uint8_t op, size_t at) {
  switch (op) {
    case '}':
      push(make(Kind::Dict));
      return;
    case ']':
      push(make(Kind::List));
      return;
    case ')':
      push(make(Kind::Tuple));
      return;
    case 0x8f:
      push(make(Kind::Set));
      return;
    case 'l':
      push(seq(Kind::List, pop_mark()));
      return;
    case 't':
      push(seq(Kind::Tuple, pop_mark()));
      return;
    case 0x91:
      push(seq(Kind::Set, pop_mark()));
      return;
    case 'd': {
      PyObject* d = make(Kind::Dict);
      set_items(d, pop_mark(), at);
      push(d);
      return;
    }
    case 0x85:
    case 0x86:
    case 0x87: {
      std::vector<PyObject*> items(op - 0x84);
      for (size_t k = items.size(); k-- > 0;) items[k] = pop();
      push(seq(Kind::Tuple, std::move(items)));
      return;
    }
    case 's': {
      PyObject* v = pop();
      PyObject* k = pop();
      set_items(top(), {k, v}, at);
      return;
    }
    case 'u': {
      auto kv = pop_mark();
      set_items(top(), kv, at);
      return;
    }
    case 'a': {
      PyObject* v = pop();
      append_items(top(), {v}, at);
      return;
    }
    case 'e':
    case 0x90: {
      auto items = pop_mark();
      append_items(top(), items, at);
      return;
    }
  }
  fail("unsupported pickle opcode " + std::to_string(op), at);
}

void Unpickler::set_items(PyObject* target, const std::vector<PyObject*>& kv, size_t at) {
  if (kv.size() % 2) fail("malformed pickle: odd number of SETITEMS values", at);
  if (target->kind != Kind::Dict && target->kind != Kind::Object)
    fail("malformed pickle: SETITEM on " + target->type_name(), at);
  for (size_t k = 0; k < kv.size(); k += 2) {
    // A repeated str key replaces the value, as in Python (state_dicts rely on it).
    bool replaced = false;
    if (kv[k]->kind == Kind::Str)
      for (auto& e : target->entries)
        if (e.first->kind == Kind::Str && e.first->s == kv[k]->s) {
          e.second = kv[k + 1];
          replaced = true;
          break;
        }
    if (!replaced) target->entries.emplace_back(kv[k], kv[k + 1]);
  }
}

void Unpickler::append_items(PyObject* target, const std::vector<PyObject*>& items, size_t at) {
  if (target->kind != Kind::List && target->kind != Kind::Set && target->kind != Kind::Object)
    fail("malformed pickle: APPEND to " + target->type_name(), at);
  target->items.insert(target->items.end(), items.begin(), items.end());
}

void Unpickler::dispatch(uint8_t op, size_t at) {
  switch (op) {
    case 0x80:
      u8();
      return;  // PROTO: any version, the opcodes tell
    case 0x95:
      uint_le(8);
      return;  // FRAME: framing is only a read-ahead hint
    case 0x98:
      return;  // READONLY_BUFFER
    case '(':
      marks_.push_back(stack_.size());
      return;
    case '0':
      pop();
      return;
    case '1':
      pop_mark();
      return;
    case '2':
      push(top());
      return;
    case 'q':
      memo_[uint_le(1)] = top();
      return;
    case 'r':
      memo_[uint_le(4)] = top();
      return;
    case 0x94:
      memo_[memo_.size()] = top();
      return;
    case 'p': {
      std::string idx = line();
      memo_[std::strtoull(idx.c_str(), nullptr, 10)] = top();
      return;
    }
    case 'h':
      push(memo_get(uint_le(1)));
      return;
    case 'j':
      push(memo_get(uint_le(4)));
      return;
    case 'g': {
      std::string idx = line();
      push(memo_get(std::strtoull(idx.c_str(), nullptr, 10)));
      return;
    }
    case 'c': {
      std::string m = line();
      std::string n = line();
      push(global(m, n));
      return;
    }
    case 0x93: {
      PyObject* n = pop();
      PyObject* m = pop();
      if (m->kind != Kind::Str || n->kind != Kind::Str)
        fail("malformed pickle: STACK_GLOBAL needs two str", at);
      push(global(m->s, n->s));
      return;
    }
    case 'R':
    case 0x81: {
      PyObject* a = pop();
      PyObject* c = pop();
      push(call(c, a));
      return;
    }
    case 0x92: {
      pop();
      PyObject* a = pop();
      PyObject* c = pop();
      push(call(c, a));
      return;
    }
    case 'b': {
      PyObject* s = pop();
      build(top(), s);
      return;
    }
    case 'Q': {
      PyObject* pid = pop();
      push(persistent(pid));
      return;
    }
    case 0x97:
      fail("pickle out-of-band buffers are not supported", at);
  }
  static const std::string container_ops =
      "}])\x8flt\x91"
      "d\x85\x86\x87suae\x90";
  if (container_ops.find(static_cast<char>(op)) != std::string::npos)
    containers(op, at);
  else
    scalars(op);
}

PyObject* Unpickler::global(std::string module, std::string name) {
  charge(module.size() + name.size());
  PyObject* g = make(Kind::Global);
  // Protocol-2 pickles name Python 3's builtins with Python 2's module name.
  if (module == "__builtin__") module = "builtins";
  g->s = module + "." + name;
  return g;
}

// Calling a class or function the way torch and numpy pickles do; what we do not know
// stays an opaque Object that remembers its class and arguments.
PyObject* Unpickler::call(PyObject* callable, PyObject* args) {
  const std::string& f = callable->kind == Kind::Global ? callable->s : std::string("?");
  if (f == "collections.OrderedDict" || f == "builtins.dict") {
    PyObject* d = make(Kind::Dict);
    if (is_seq(args) && args->items.size() == 1 && is_seq(args->items[0])) {
      charge(args->items[0]->items.size());
      for (PyObject* kv : args->items[0]->items)
        if (kv->kind == Kind::Tuple && kv->items.size() == 2)
          set_items(d, {kv->items[0], kv->items[1]}, pos_);
    }
    return d;
  }
  if (f == "torch._utils._rebuild_tensor_v2" || f == "torch._utils._rebuild_tensor") {
    if (PyObject* t = rebuild_tensor(args)) return t;
  } else if (f == "torch._utils._rebuild_parameter" ||
             f == "torch._utils._rebuild_parameter_with_state") {
    if (is_seq(args) && !args->items.empty() && args->items[0]->kind == Kind::Tensor)
      return args->items[0];
  } else if (f == "numpy.core.multiarray.scalar" || f == "numpy._core.multiarray.scalar") {
    if (PyObject* n = numpy_scalar(args)) return n;
  } else if (f == "_codecs.encode") {
    if (PyObject* b = encode(args)) return b;
  } else if (f == "builtins.bytes" && is_seq(args) && args->items.empty()) {
    return make(Kind::Bytes);  // protocol 2 spells b'' as bytes()
  } else if (options_.numpy_arrays &&
             (f == "numpy.core.numeric._frombuffer" || f == "numpy._core.numeric._frombuffer")) {
    // _frombuffer(buffer, dtype, shape, order): protocol 5's in-band arrays.
    if (!is_seq(args) || args->items.size() != 4 || args->items[3]->kind != Kind::Str)
      fail("malformed numpy array (_frombuffer arguments)");
    const std::string& order = args->items[3]->s;
    if (order != "C" && order != "F")
      fail("malformed numpy array (_frombuffer order '" + order.substr(0, 8) + "')");
    PyObject* t = make(Kind::Object);
    numpy_array(t, args->items[2], args->items[1], order == "F", args->items[0]);
    return t;
  } else if (f == "builtins.set" || f == "builtins.frozenset") {
    if (is_seq(args) && args->items.size() == 1 && is_seq(args->items[0])) {
      charge(args->items[0]->items.size());
      return seq(Kind::Set, args->items[0]->items);
    }
  }
  charge(f.size());
  PyObject* o = make(Kind::Object);
  o->s = f;
  o->args = args;
  return o;
}

PyObject* Unpickler::persistent(PyObject* pid) {
  // ('storage', torch.XStorage, key, location, numel[, view_metadata])
  if (!is_seq(pid) || pid->items.size() < 5 || pid->items[0]->kind != Kind::Str ||
      pid->items[0]->s != "storage")
    fail("unsupported persistent id (not a torch storage)");
  const auto& it = pid->items;
  if (it[1]->kind != Kind::Global || it[2]->kind != Kind::Str || !is_int(it[4]) || it[4]->i < 0)
    fail("malformed storage persistent id");
  c10::ScalarType dtype = storage_dtype(it[1]->s);
  if (dtype == c10::ScalarType::Undefined) {  // quantized and other exotic storages
    PyObject* o = make(Kind::Object);
    o->s = it[1]->s;
    return o;
  }
  PyObject*& root = arena_.storages[it[2]->s];
  if (!root) {
    root = make(Kind::Storage);
    root->s = it[2]->s;
    root->dtype = dtype;
    root->i = it[4]->i;
  } else if (root->dtype != dtype) {
    fail("storage " + it[2]->s + " is used with two types");
  }
  if (it.size() < 6 || it[5]->kind == Kind::None) return root;
  // Legacy view of a root storage: (view_key, offset, view_size).
  const PyObject* view = it[5];
  if (!is_seq(view) || view->items.size() != 3 || view->items[0]->kind != Kind::Str ||
      !is_int(view->items[1]) || !is_int(view->items[2]))
    fail("malformed storage view metadata");
  PyObject*& v = arena_.storages[view->items[0]->s];
  if (!v) {
    v = make(Kind::Storage);
    v->s = view->items[0]->s;
    v->dtype = dtype;
    v->storage = root;
    v->offset = view->items[1]->i;
    v->i = view->items[2]->i;
  }
  return v;
}

// _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]):
// recorded as a view to make once the storage's bytes are known.
PyObject* Unpickler::rebuild_tensor(PyObject* args) {
  if (!is_seq(args) || args->items.size() < 4) return nullptr;
  const auto& a = args->items;
  if (a[0]->kind != Kind::Storage || !is_int(a[1]) || !is_seq(a[2]) || !is_seq(a[3]))
    return nullptr;
  if (a[2]->items.size() != a[3]->items.size() || a[2]->items.size() > kMaxDims)
    fail("tensor with bad sizes/strides");
  PyObject* t = make(Kind::Tensor);
  t->storage = a[0];
  t->offset = a[1]->i;
  for (size_t d = 0; d < a[2]->items.size(); ++d) {
    if (!is_int(a[2]->items[d]) || !is_int(a[3]->items[d])) fail("tensor with bad sizes/strides");
    t->sizes.push_back(a[2]->items[d]->i);
    t->strides.push_back(a[3]->items[d]->i);
  }
  t->dtype = a[0]->dtype;
  arena_.tensors.push_back(t);
  return t;
}

// numpy.dtype('i8', False, True) with BUILD state (3, '<', ...): its kind, size, byte order.
bool dtype_code(const PyObject* dt, char* kind, size_t* size, bool* big_endian) {
  if (!dt || dt->kind != Kind::Object || dt->s.rfind("numpy", 0) != 0 || !is_seq(dt->args) ||
      dt->args->items.empty() || dt->args->items[0]->kind != Kind::Str)
    return false;
  const std::string& code = dt->args->items[0]->s;
  if (code.size() < 2 || !std::strchr("biuf", code[0]) || code[0] == '\0') return false;
  *kind = code[0];
  *size = static_cast<size_t>(std::atoi(code.c_str() + 1));
  *big_endian = dt->state && is_seq(dt->state) && dt->state->items.size() > 1 &&
                dt->state->items[1]->kind == Kind::Str && dt->state->items[1]->s == ">";
  return true;
}

PyObject* Unpickler::numpy_scalar(PyObject* args) {
  if (!is_seq(args) || args->items.size() != 2 || args->items[1]->kind != Kind::Bytes)
    return nullptr;
  char kind;
  size_t size;
  bool big;
  if (!dtype_code(args->items[0], &kind, &size, &big)) return nullptr;
  if (args->items[1]->s.size() != size || !(size == 1 || size == 2 || size == 4 || size == 8))
    return nullptr;
  std::string raw = args->items[1]->s;
  if (big) std::reverse(raw.begin(), raw.end());
  uint64_t u = 0;
  for (size_t k = size; k-- > 0;) u = (u << 8) | static_cast<uint8_t>(raw[k]);
  if (kind == 'f') {
    PyObject* o = make(Kind::Float);
    if (size == 8)
      std::memcpy(&o->f, &u, 8);
    else if (size == 4) {
      float x;
      uint32_t b = static_cast<uint32_t>(u);
      std::memcpy(&x, &b, 4);
      o->f = x;
    } else if (size == 2)
      o->f = static_cast<float>(c10::Half(static_cast<uint16_t>(u), c10::Half::from_bits()));
    else
      return nullptr;
    return o;
  }
  if (kind == 'b') {
    PyObject* o = make(Kind::Bool);
    o->i = u != 0;
    return o;
  }
  if (kind == 'i' && size < 8 && (u >> (8 * size - 1)) & 1) u |= ~uint64_t(0) << (8 * size);
  if (kind == 'u' && u > uint64_t(INT64_MAX)) {
    PyObject* o = make(Kind::Float);  // beyond int64: keep the magnitude
    o->f = static_cast<double>(u);
    return o;
  }
  return int_node(arena_, static_cast<int64_t>(u));
}

// _codecs.encode(text, 'latin1'): how protocol-2 pickles spell bytes (numpy's scalars).
PyObject* Unpickler::encode(PyObject* args) {
  if (!is_seq(args) || args->items.empty() || args->items[0]->kind != Kind::Str) return nullptr;
  std::string enc =
      args->items.size() > 1 && args->items[1]->kind == Kind::Str && args->items[1]->s.size() < 16
          ? args->items[1]->s
          : "utf-8";
  const std::string& text = args->items[0]->s;
  charge(text.size());
  PyObject* b = make(Kind::Bytes);
  if (enc != "latin1" && enc != "latin-1" && enc != "iso-8859-1") {
    b->s = text;  // utf-8: the str's own bytes
    return b;
  }
  // Decode the UTF-8 text: every code point must be < 256 (numpy's array data: large).
  std::string out(text.size(), '\0');
  char* o = out.data();
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* end = p + text.size();
  // Branch-free while two bytes remain (the bytes of float data are half >= 0x80).
  bool bad = false;
  while (end - p > 1) {
    const uint8_t c = p[0];
    const bool two = c >= 0x80;  // then c is 0xC0-0xC3 and p[1] its continuation
    bad |= two & ((c & 0xFC) != 0xC0);
    *o++ = static_cast<char>(two ? ((c & 0x03) << 6) | (p[1] & 0x3F) : c);
    p += 1 + two;
  }
  if (p < end) {
    if (*p >= 0x80) return nullptr;
    *o++ = static_cast<char>(*p);
  }
  if (bad) return nullptr;
  out.resize(static_cast<size_t>(o - out.data()));
  b->s = std::move(out);
  return b;
}

void Unpickler::build(PyObject* obj, PyObject* state) {
  if (options_.numpy_arrays && obj->kind == Kind::Object && !obj->state &&
      (obj->s == "numpy.core.multiarray._reconstruct" ||
       obj->s == "numpy._core.multiarray._reconstruct")) {
    // _reconstruct(numpy.ndarray, (0,), b'b') then ndarray.__setstate__(state); subclasses
    // (numpy.matrix, ...) stay opaque.
    const PyObject* a = obj->args;
    if (is_seq(a) && !a->items.empty() && a->items[0]->kind == Kind::Global &&
        (a->items[0]->s == "numpy.ndarray")) {
      // (version, shape, dtype, is_fortran, raw) or, before version 1, without the version.
      if (!is_seq(state) || (state->items.size() != 5 && state->items.size() != 4))
        fail("malformed numpy array (its state is not a 4- or 5-tuple)");
      const size_t at = state->items.size() - 4;
      if (!is_int(state->items[at + 2])) fail("malformed numpy array (is_fortran)");
      numpy_array(obj, state->items[at], state->items[at + 1], state->items[at + 2]->i != 0,
                  state->items[at + 3]);
      return;
    }
  }
  // Objects keep their state; a dict's or tensor's state (e.g. _metadata) has no use here.
  if (obj->kind == Kind::Object && !obj->state) obj->state = state;
}

// A numpy.dtype object's tensor type; `*big_endian` from its state's byte order.
c10::ScalarType Unpickler::numpy_dtype(const PyObject* dt, bool* big_endian) {
  if (!dt || dt->kind != Kind::Object || dt->s.rfind("numpy", 0) != 0 || dt->s.size() < 6 ||
      dt->s.compare(dt->s.size() - 6, 6, ".dtype") != 0 || !is_seq(dt->args) ||
      dt->args->items.empty() || dt->args->items[0]->kind != Kind::Str)
    fail("malformed numpy array (its dtype is a " + (dt ? dt->type_name() : "?") + ")");
  const std::string& code = dt->args->items[0]->s;
  static const std::map<std::string, c10::ScalarType> types = {
      {"b1", c10::kBool},  {"u1", c10::kByte},  {"i1", c10::kChar},
      {"i2", c10::kShort}, {"i4", c10::kInt},   {"i8", c10::kLong},
      {"f2", c10::kHalf},  {"f4", c10::kFloat}, {"f8", c10::kDouble}};
  auto it = types.find(code);
  const PyObject* st = dt->state;
  // Structured dtypes carry field names in their state: (3, '|', None, names, fields, ...).
  const bool structured = is_seq(st) && st->items.size() > 4 && st->items[3]->kind != Kind::None;
  if (it == types.end() || structured) {
    std::string what = code.substr(0, 16);
    if (!code.empty() && code[0] == 'O') what += " (object)";
    if (!code.empty() && code[0] == 'V') what += " (structured)";
    if (!code.empty() && (code[0] == 'U' || code[0] == 'S')) what += " (string)";
    if (!code.empty() && code[0] == 'c') what += " (complex)";
    NumpyArrayError e("numpy arrays of dtype '" + what +
                      "' are not supported (bool, uint8, int8/16/32/64 and float16/32/64 are)" +
                      at_byte());
    e.bad_dtype = true;
    e.dtype = code.substr(0, 16);
    throw e;
  }
  *big_endian = is_seq(st) && st->items.size() > 1 && st->items[1]->kind == Kind::Str &&
                st->items[1]->s == ">";
  return it->second;
}

void Unpickler::numpy_array(PyObject* obj, const PyObject* shape, const PyObject* dtype,
                            bool fortran, const PyObject* raw) {
  bool big = false;
  const c10::ScalarType type = numpy_dtype(dtype, &big);
  if (!is_seq(shape)) fail("malformed numpy array (its shape is a " + shape->type_name() + ")");
  if (shape->items.size() > kMaxDims) fail("malformed numpy array (too many dimensions)");
  std::vector<int64_t> sizes;
  int64_t numel = 1;
  for (const PyObject* d : shape->items) {
    if (!is_int(d) || d->i < 0) fail("malformed numpy array (a size is not a natural number)");
    sizes.push_back(d->i);
    if (__builtin_mul_overflow(numel, d->i, &numel)) fail("malformed numpy array (too large)");
  }
  if (raw->kind != Kind::Bytes)
    fail("malformed numpy array (its data is a " + raw->type_name() + ", not bytes)");
  const std::string& data = raw->s;
  const size_t item = c10::elementSize(type);
  if (static_cast<uint64_t>(numel) > data.size() / item ||
      static_cast<uint64_t>(numel) * item != data.size()) {
    NumpyArrayError e("malformed numpy array: " + std::to_string(data.size()) +
                      " bytes for shape " + c10::str(c10::IntArrayRef(sizes)) + " of " +
                      std::to_string(item) + "-byte elements" + at_byte());
    e.numel = numel;
    e.item_size = item;
    e.data_size = data.size();
    throw e;
  }
  charge(data.size());  // one bytes object memoised under many arrays is copied each time
  std::vector<int64_t> stored = sizes;  // the order of the bytes
  if (fortran) std::reverse(stored.begin(), stored.end());
  torch::Tensor t = torch::empty(stored, torch::TensorOptions().dtype(type));
  if (!data.empty()) std::memcpy(t.data_ptr(), data.data(), data.size());
  if (big && item > 1) {
    auto* p = static_cast<char*>(t.data_ptr());
    for (int64_t i = 0; i < numel; ++i) std::reverse(p + i * item, p + (i + 1) * item);
  }
  if (type == c10::kBool) {  // numpy's bools are bytes of 0/1; anything else is not a bool
    const auto* p = static_cast<const uint8_t*>(t.data_ptr());
    for (int64_t i = 0; i < numel; ++i)
      if (p[i] > 1) fail("malformed numpy array (a bool byte is " + std::to_string(p[i]) + ")");
  }
  if (fortran && sizes.size() > 1) {
    std::vector<int64_t> dims(sizes.size());
    for (size_t d = 0; d < dims.size(); ++d) dims[d] = static_cast<int64_t>(dims.size() - 1 - d);
    t = t.permute(dims).contiguous();
  }
  obj->kind = Kind::Tensor;
  obj->s.clear();
  obj->args = nullptr;
  obj->state = nullptr;
  obj->dtype = type;
  obj->sizes = sizes;
  obj->tensor = t;
}

bool fits(int64_t offset, const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides,
          int64_t numel) {
  if (offset < 0) return false;
  int64_t last = offset;  // the highest element index the view touches
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] < 0 || strides[d] < 0) return false;
    if (sizes[d] == 0) return true;  // empty: touches nothing
    int64_t span;
    if (__builtin_mul_overflow(sizes[d] - 1, strides[d], &span) ||
        __builtin_add_overflow(last, span, &last))
      return false;
  }
  return last < numel;
}

}  // namespace

PyObject* unpickle(std::string_view data, PickleArena& arena, size_t* consumed,
                   size_t base_offset) {
  return Unpickler(data, arena, base_offset, UnpickleOptions{}).run(consumed);
}

PyObject* unpickle(std::string_view data, PickleArena& arena, size_t* consumed, size_t base_offset,
                   const UnpickleOptions& options) {
  return Unpickler(data, arena, base_offset, options).run(consumed);
}

Pickle load_pickle(std::string_view data, const std::string& name) {
  Pickle p;
  p.arena = std::make_shared<PickleArena>();
  UnpickleOptions options;
  options.numpy_arrays = true;
  size_t consumed = 0;  // as pickle.load: what follows STOP is not read
  try {
    p.root = unpickle(data, *p.arena, &consumed, 0, options);
  } catch (const CheckpointError& e) {
    throw CheckpointError(name + ": " + e.what());
  }
  return p;
}

Pickle load_pickle_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError("cannot open pickle file '" + path + "'");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 0) throw CheckpointError("cannot read pickle file '" + path + "'");
  std::string data(static_cast<size_t>(size), '\0');
  if (!in.read(data.data(), size)) throw CheckpointError("cannot read pickle file '" + path + "'");
  return load_pickle(data, path);
}

void materialize_tensors(PickleArena& arena) {
  for (PyObject* t : arena.tensors) {
    PyObject* s = t->storage;
    if (!s->tensor.defined()) throw CheckpointError("storage " + s->s + " has no data");
    if (!fits(t->offset, t->sizes, t->strides, s->tensor.numel()))
      throw CheckpointError("tensor view outside its storage " + s->s + " (" +
                            std::to_string(s->tensor.numel()) + " elements)");
    t->tensor = s->tensor.as_strided(t->sizes, t->strides, t->offset);
  }
}

}  // namespace tubelet::checkpoint
