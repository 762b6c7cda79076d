// mmcv's checkpoint layout and load_state_dict semantics on top of the .pth reader/writer.
#include "tubelet/checkpoint/checkpoint.h"

#include <regex>
#include <sstream>
#include <unordered_set>

#include "tubelet/checkpoint/pth.h"
#include "tubelet/fileio/model_cache.h"

namespace tubelet::checkpoint {

using Kind = PyObject::Kind;

namespace {

// Converting a pickle tree may meet shared nodes and cycles: depth and total work (nodes and
// bytes of text copied) are capped; what is beyond is skipped like other Python objects.
struct ValueConverter {
  size_t budget = size_t(64) << 20;

  std::optional<Value> convert(const PyObject& o, int depth) {
    size_t cost = 1 + (o.kind == Kind::Str ? o.s.size() : 0);
    if (depth > 200 || cost > budget) return std::nullopt;
    budget -= cost;
    switch (o.kind) {
      case Kind::None:
        return Value();
      case Kind::Bool:
        return Value(o.i != 0);
      case Kind::Int:
        return Value(o.i);
      case Kind::Float:
        return Value(o.f);
      case Kind::Str:
        return Value(o.s);
      case Kind::List:
      case Kind::Tuple:
        return sequence(o, depth);
      case Kind::Dict:
        return dict(o, depth);
      default:
        return std::nullopt;  // tensors, bytes, opaque objects: no config meaning
    }
  }
  Value sequence(const PyObject& o, int depth) {
    List items;
    for (const PyObject* item : o.items)
      if (auto v = convert(*item, depth + 1)) items.push_back(std::move(*v));
    return o.kind == Kind::List ? Value::list(std::move(items)) : Value::tuple(std::move(items));
  }
  Value dict(const PyObject& o, int depth) {
    Dict d;
    for (const auto& [k, v] : o.entries) {
      auto key = convert(*k, depth + 1);
      auto value = key ? convert(*v, depth + 1) : std::nullopt;
      if (!value) continue;
      try {
        d.set(*key, std::move(*value));
      } catch (const ConfigError&) {  // an unhashable key: skipped like other Python objects
      }
    }
    return Value(std::move(d));
  }
};

std::string shape_repr(at::IntArrayRef sizes) {
  std::ostringstream s;
  s << "torch.Size([";
  for (size_t k = 0; k < sizes.size(); ++k) s << (k ? ", " : "") << sizes[k];
  s << "])";
  return s.str();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The module's state_dict in PyTorch's order: each module's parameters, then its buffers,
// then its children.
void model_state(const torch::nn::Module& module, const std::string& prefix,
                 std::vector<std::pair<std::string, torch::Tensor>>* out) {
  for (const auto& p : module.named_parameters(false))
    out->emplace_back(prefix + p.key(), p.value());
  for (const auto& b : module.named_buffers(false)) out->emplace_back(prefix + b.key(), b.value());
  for (const auto& child : module.named_children())
    model_state(*child.value(), prefix + child.key() + ".", out);
}

}  // namespace

StateDict state_dict(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> entries;
  model_state(module, "", &entries);
  StateDict out;
  for (auto& [key, tensor] : entries) out.insert(key, tensor);
  return out;
}

std::optional<Value> to_value(const PyObject& o) {
  return ValueConverter().convert(o, 0);
}

PyObject* to_pyobject(PickleArena& arena, const Value& v) {
  switch (v.type()) {
    case Value::Type::None:
      return arena.make(Kind::None);
    case Value::Type::Bool: {
      PyObject* b = arena.make(Kind::Bool);
      b->i = v.as_bool();
      return b;
    }
    case Value::Type::Int:
      return make_int(arena, v.as_int());
    case Value::Type::Float: {
      PyObject* f = arena.make(Kind::Float);
      f->f = v.as_float();
      return f;
    }
    case Value::Type::Str:
      return make_str(arena, v.as_str());
    case Value::Type::List:
    case Value::Type::Tuple: {
      PyObject* s = arena.make(v.is_list() ? Kind::List : Kind::Tuple);
      for (const Value& item : v.as_list()) s->items.push_back(to_pyobject(arena, item));
      return s;
    }
    case Value::Type::Dict: {
      PyObject* d = arena.make(Kind::Dict);
      for (const auto& [k, item] : v.as_dict())
        d->entries.emplace_back(to_pyobject(arena, k), to_pyobject(arena, item));
      return d;
    }
    case Value::Type::Range: {
      PyObject* r = arena.make(Kind::Object);
      r->s = "builtins.range";
      r->args = arena.make(Kind::Tuple);
      for (int64_t x : {v.as_range().start, v.as_range().stop, v.as_range().step})
        r->args->items.push_back(make_int(arena, x));
      return r;
    }
  }
  return arena.make(Kind::None);
}

PyObject* to_pyobject(PickleArena& arena, const c10::IValue& v) {
  if (v.isNone()) return arena.make(Kind::None);
  if (v.isBool()) {
    PyObject* b = arena.make(Kind::Bool);
    b->i = v.toBool();
    return b;
  }
  if (v.isInt()) return make_int(arena, v.toInt());
  if (v.isDouble()) {
    PyObject* f = arena.make(Kind::Float);
    f->f = v.toDouble();
    return f;
  }
  if (v.isString()) return make_str(arena, v.toStringRef());
  if (v.isTensor()) return make_tensor(arena, v.toTensor());
  if (v.isList() || v.isTuple()) {
    PyObject* s = arena.make(v.isList() ? Kind::List : Kind::Tuple);
    if (v.isList())
      for (const c10::IValue& item : v.toListRef()) s->items.push_back(to_pyobject(arena, item));
    else
      for (const c10::IValue& item : v.toTupleRef().elements())
        s->items.push_back(to_pyobject(arena, item));
    return s;
  }
  if (v.isGenericDict()) {
    PyObject* d = arena.make(Kind::Dict);
    for (const auto& e : v.toGenericDict())
      d->entries.emplace_back(to_pyobject(arena, e.key()), to_pyobject(arena, e.value()));
    return d;
  }
  throw CheckpointError("cannot save a value of type " + v.tagKind());
}

Pickle to_pickle(const c10::IValue& v) {
  auto arena = std::make_shared<PickleArena>();
  const PyObject* root = to_pyobject(*arena, v);
  return {arena, root};
}

Checkpoint checkpoint_from(Pickle raw, const std::string& name, const LoadOptions& options) {
  if (!raw.root || raw.root->kind != Kind::Dict)
    throw CheckpointError("checkpoint " + name + ": not a dict but " +
                          (raw.root ? raw.root->type_name() : std::string("nothing")));
  Checkpoint ckpt;
  const PyObject* sd = raw.root->get("state_dict");
  if (!sd) sd = raw.root;  // a bare state_dict, as mmcv accepts
  if (sd->kind != Kind::Dict)
    throw CheckpointError("checkpoint " + name + ": state_dict is a " + sd->type_name());
  std::vector<std::pair<std::regex, std::string>> revise;
  for (const auto& [pattern, replacement] : options.revise_keys)
    revise.emplace_back(std::regex(pattern), replacement);
  for (const auto& [k, v] : sd->entries) {
    if (k->kind != Kind::Str || v->kind != Kind::Tensor) continue;
    std::string key = k->s;
    for (const auto& [re, replacement] : revise) key = std::regex_replace(key, re, replacement);
    if (ckpt.state_dict.contains(key))
      ckpt.state_dict[key] = v->tensor;
    else
      ckpt.state_dict.insert(key, v->tensor);
  }
  if (sd != raw.root) {
    if (const PyObject* meta = raw.root->get("meta")) ckpt.meta = to_value(*meta).value_or(Value());
    if (const PyObject* optimizer = raw.root->get("optimizer"))
      ckpt.optimizer = {raw.arena, optimizer};
  }
  ckpt.raw = std::move(raw);
  return ckpt;
}

namespace {

std::string revise_key(std::string key, const LoadOptions& options) {
  for (const auto& [pattern, replacement] : options.revise_keys)
    key = std::regex_replace(key, std::regex(pattern), replacement);
  return key;
}

// mmcv's _process_mmcls_checkpoint: an mmcls classifier's backbone weights, "backbone."
// stripped; everything else (head, meta, optimizer) dropped. Then revise_keys, as mmcv.
Checkpoint mmcls_backbone(Checkpoint classifier, const LoadOptions& options) {
  Checkpoint ckpt;
  const std::string prefix = "backbone.";
  for (const auto& item : classifier.state_dict) {
    if (item.key().compare(0, prefix.size(), prefix) != 0) continue;
    const std::string key = revise_key(item.key().substr(prefix.size()), options);
    if (ckpt.state_dict.contains(key))
      ckpt.state_dict[key] = item.value();
    else
      ckpt.state_dict.insert(key, item.value());
  }
  ckpt.raw = std::move(classifier.raw);
  return ckpt;
}

}  // namespace

Checkpoint load_checkpoint(const std::string& path, const LoadOptions& options) {
  // `path` may be a URL or a model-zoo name (torchvision://, open-mmlab://, mmcls://): the
  // file is then the cached download (fileio/model_cache.h).
  const std::string file = resolve_checkpoint(path).string();
  if (checkpoint_scheme(path) != "mmcls") return checkpoint_from(read_pth(file), path, options);
  LoadOptions as_stored;
  as_stored.revise_keys.clear();
  return mmcls_backbone(checkpoint_from(read_pth(file), path, as_stored), options);
}

void save_checkpoint(const std::string& path, const StateDict& state_dict, const Value& meta,
                     const Pickle& optimizer,
                     const std::vector<std::pair<std::string, Pickle>>& extras) {
  PickleArena arena;
  PyObject* root = arena.make(Kind::Dict);
  PyObject* m = meta.is_none() ? arena.make(Kind::Dict) : to_pyobject(arena, meta);
  root->entries.emplace_back(make_str(arena, "meta"), m);
  PyObject* sd = arena.make(Kind::Dict);
  sd->s = "OrderedDict";  // mmcv's state_dict is an OrderedDict
  for (const auto& item : state_dict)
    sd->entries.emplace_back(make_str(arena, item.key()), make_tensor(arena, item.value()));
  root->entries.emplace_back(make_str(arena, "state_dict"), sd);
  if (optimizer.root)  // the node stays owned by its own arena, alive through `optimizer`
    root->entries.emplace_back(make_str(arena, "optimizer"), const_cast<PyObject*>(optimizer.root));
  for (const auto& [key, extra] : extras)
    if (extra.root)
      root->entries.emplace_back(make_str(arena, key), const_cast<PyObject*>(extra.root));
  write_pth(path, *root);
}

std::string LoadReport::message() const {
  std::vector<std::string> err = size_mismatches;
  if (!unexpected_keys.empty())
    err.push_back("unexpected key in source state_dict: " + join(unexpected_keys) + "\n");
  if (!missing_keys.empty())
    err.push_back("missing keys in source state_dict: " + join(missing_keys) + "\n");
  if (err.empty()) return "";
  std::string out = "The model and loaded state dict do not match exactly\n";
  for (const auto& e : err) out += "\n" + e;
  return out;
}

LoadReport load_state_dict(torch::nn::Module& module, const StateDict& state_dict, bool strict) {
  LoadReport report;
  torch::NoGradGuard no_grad;
  std::unordered_set<std::string> known;
  std::vector<std::pair<std::string, torch::Tensor>> entries;
  model_state(module, "", &entries);
  for (auto& [key, param] : entries) {
    known.insert(key);
    const torch::Tensor* input = state_dict.find(key);
    if (!input) {
      if (key.find("num_batches_tracked") == std::string::npos) report.missing_keys.push_back(key);
      continue;
    }
    torch::Tensor value = *input;
    // PyTorch's backward compatibility: a 0-dim parameter saved as shape [1].
    if (param.dim() == 0 && value.dim() == 1 && value.numel() == 1) value = value[0];
    if (value.sizes() != param.sizes()) {
      report.size_mismatches.push_back(
          "size mismatch for " + key + ": copying a param with shape " + shape_repr(value.sizes()) +
          " from checkpoint, the shape in current model is " + shape_repr(param.sizes()) + ".");
      continue;
    }
    param.copy_(value);
  }
  for (const auto& item : state_dict)
    if (!known.count(item.key())) report.unexpected_keys.push_back(item.key());
  if (strict && !report.ok()) throw CheckpointError(report.message());
  return report;
}

}  // namespace tubelet::checkpoint
