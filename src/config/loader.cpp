// Config.fromfile, as mmcv 1.7.0 does it: text substitutions, evaluation, then `_base_`
// files merged in order and the file's own names merged over them.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>

#include "config/python/evaluate.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"

namespace fs = std::filesystem;

namespace tubelet {

namespace {

constexpr const char* kBaseKey = "_base_";
constexpr const char* kDeprecationKey = "_deprecation_";

std::string read_file(const fs::path& path, const Location& referenced_from) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw ConfigError("config file not found: " + path.string(), referenced_from);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw ConfigError("cannot read config file " + path.string());
  return text.str();
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// Replaces every `{{ NAME }}` (spaces optional) for which `replace(NAME)` gives text, as
// mmcv's regular expressions `\{\{\s*NAME\s*\}\}` do. A scanner rather than std::regex:
// libstdc++'s regex recurses per character and is slow.
std::string substitute_braces(
    const std::string& text,
    const std::function<std::optional<std::string>(const std::string&)>& replace) {
  std::string out;
  size_t copied = 0;
  for (size_t pos = text.find("{{"); pos != std::string::npos; pos = text.find("{{", pos + 1)) {
    size_t i = pos + 2;
    while (i < text.size() && is_space(text[i])) ++i;
    size_t name_start = i;
    while (i < text.size() && is_word(text[i])) ++i;
    std::string name = text.substr(name_start, i - name_start);
    while (i < text.size() && is_space(text[i])) ++i;
    if (name.empty() || text.compare(i, 2, "}}") != 0) continue;
    std::optional<std::string> value = replace(name);
    if (!value) continue;
    out.append(text, copied, pos - copied);
    out += *value;
    copied = i + 2;
    pos = i + 1;
  }
  out.append(text, copied, std::string::npos);
  return out;
}

// `{{ fileDirname }}` and friends, replaced in the text before it is parsed.
std::string substitute_predefined_vars(const std::string& text, const fs::path& file) {
  const std::map<std::string, std::string> vars = {
      {"fileDirname", file.parent_path().string()},
      {"fileBasename", file.filename().string()},
      {"fileBasenameNoExtension", file.stem().string()},
      {"fileExtname", file.extension().string()},
  };
  return substitute_braces(text, [&](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

// `{{_base_.a.b}}` becomes a unique string literal now, and the base's value after the
// bases are merged: a whole-value text substitution, exactly as mmcv makes it.
using BaseVars = std::vector<std::pair<std::string, std::string>>;  // placeholder -> a.b

std::string placeholder_suffix() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  char buf[24];
  std::snprintf(buf, sizeof buf, "%06llx",
                static_cast<unsigned long long>((salt ^ (counter++ * 0x9E3779B97F4A7C15ULL)) &
                                                0xFFFFFFFFFFULL));
  return buf;
}

std::string pre_substitute_base_vars(const std::string& text, BaseVars& vars) {
  const std::string prefix = "_base_.";
  return substitute_braces(text, [&](const std::string& name) -> std::optional<std::string> {
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0)
      return std::nullopt;
    std::string var = name.substr(prefix.size());
    for (const auto& [placeholder, known] : vars)
      if (known == var) return "\"" + placeholder + "\"";
    std::string placeholder = "_" + var + "_" + placeholder_suffix();
    vars.emplace_back(placeholder, var);
    return "\"" + placeholder + "\"";
  });
}

Value lookup_base_var(const std::string& dotted, const Dict& bases, const Location& where) {
  const Dict* d = &bases;
  Value v;
  std::string done;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    std::string part = dotted.substr(start, dot == std::string::npos ? dot : dot - start);
    const Value* next = d ? d->find(part) : nullptr;
    if (!next)
      throw ConfigError("{{_base_." + dotted + "}}: no key '" + part + "' in " +
                            (done.empty() ? std::string("the _base_ files") : done),
                        where);
    v = *next;
    done += (done.empty() ? "" : ".") + part;
    if (dot == std::string::npos) return v;
    d = v.is_dict() ? &v.as_dict() : nullptr;
    start = dot + 1;
  }
}

void substitute_base_vars(Value& v, const BaseVars& vars, const Dict& bases) {
  if (v.is_str()) {
    for (const auto& [placeholder, name] : vars)
      if (v.as_str() == placeholder) {
        v = lookup_base_var(name, bases, v.location());
        return;
      }
  } else if (v.is_sequence()) {
    for (Value& item : v.mutable_list()) substitute_base_vars(item, vars, bases);
  } else if (v.is_dict()) {
    Dict out;
    for (const auto& [key, item] : v.as_dict()) {
      Value value = item;
      substitute_base_vars(value, vars, bases);
      out.set(key, std::move(value));
    }
    Location where = v.location();
    v = Value(std::move(out)).at(where);
  }
}

void check_placeholders_unused(const Value& v, const BaseVars& vars) {
  if (v.is_str()) {
    for (const auto& [placeholder, name] : vars)
      if (v.as_str() == placeholder)
        throw ConfigError("{{_base_." + name + "}} is used, but the file has no _base_",
                          v.location());
  } else if (v.is_sequence()) {
    for (const Value& item : v.as_list()) check_placeholders_unused(item, vars);
  } else if (v.is_dict()) {
    for (const auto& item : v.as_dict()) check_placeholders_unused(item.second, vars);
  }
}

Dict evaluate(const std::string& text, const fs::path& file) {
  auto name = std::make_shared<const std::string>(file.string());
  std::string ext = file.extension().string();
  if (ext == ".py") {
    Dict module = python::evaluate_module(text, name);
    Dict cfg;
    for (const auto& [k, v] : module)
      if (k.as_str().rfind("__", 0) != 0) cfg.set(k, v);  // mmcv drops `__x` names only
    return cfg;
  }
  Value top = ext == ".json" ? from_json(text, *name) : from_yaml(text, *name);
  if (top.is_none()) return Dict();  // an empty YAML file
  if (!top.is_dict())
    throw ConfigError(
        std::string("a config file must hold a mapping at the top, not a ") + top.type_name(),
        top.location());
  return top.as_dict();
}

void warn_deprecation(Dict& cfg, const fs::path& file) {
  const Value* info = cfg.find(kDeprecationKey);
  if (!info) return;
  std::string msg = "The config file " + file.string() + " will be deprecated in the future.";
  if (info->is_dict()) {
    if (const Value* e = info->as_dict().find("expected"))
      msg += " Please use " + (e->is_str() ? e->as_str() : repr(*e)) + " instead.";
    if (const Value* r = info->as_dict().find("reference"))
      msg += " More information can be found at " + (r->is_str() ? r->as_str() : repr(*r));
  }
  std::cerr << "DeprecationWarning: " << msg << "\n";
  cfg.erase(kDeprecationKey);
}

struct LoadState {
  ConfigLoadOptions options;
  std::vector<fs::path> chain;  // files being loaded, to report `_base_` cycles
};

Dict load_text(std::string text, const fs::path& file, LoadState& state);

Dict load_file(const fs::path& path, const Location& referenced_from, LoadState& state) {
  fs::path file = fs::absolute(path).lexically_normal();
  std::string ext = file.extension().string();
  if (ext != ".py" && ext != ".json" && ext != ".yaml" && ext != ".yml")
    throw ConfigError("unsupported config file type '" + ext + "' of " + file.string() +
                          " (use .py, .json, .yaml or .yml)",
                      referenced_from);
  for (const fs::path& open : state.chain)
    if (open == file) {
      std::string cycle;
      for (const fs::path& p : state.chain) cycle += p.filename().string() + " -> ";
      throw ConfigError("circular _base_ inheritance: " + cycle + file.filename().string(),
                        referenced_from);
    }
  state.chain.push_back(file);
  Dict cfg = load_text(read_file(file, referenced_from), file, state);
  state.chain.pop_back();
  return cfg;
}

std::vector<Value> base_files(const Value& base) {
  if (base.is_str()) return {base};
  if (base.is_list()) return base.as_list();
  throw ConfigError(
      std::string("_base_ must be a file name or a list of them, not a ") + base.type_name(),
      base.location());
}

Dict merge_bases(const Value& base, const fs::path& file, LoadState& state) {
  Dict merged;
  for (const Value& name : base_files(base)) {
    if (!name.is_str())
      throw ConfigError(std::string("_base_ entries must be strings, not ") + name.type_name(),
                        name.location());
    Dict one = load_file(file.parent_path() / name.as_str(), name.location(), state);
    std::string duplicates;
    for (const auto& [k, v] : one) {
      std::string key = k.as_str();
      if (merged.contains(k)) duplicates += (duplicates.empty() ? "'" : ", '") + key + "'";
      merged.set(k, v);
    }
    if (!duplicates.empty())
      throw ConfigError("KeyError: Duplicate key is not allowed among bases. Duplicate keys: {" +
                            duplicates + "} (defined again in " + name.as_str() + ")",
                        name.location());
  }
  return merged;
}

Dict load_text(std::string text, const fs::path& file, LoadState& state) {
  if (state.options.use_predefined_variables) text = substitute_predefined_vars(text, file);
  BaseVars vars;
  text = pre_substitute_base_vars(text, vars);
  Dict cfg = evaluate(text, file);
  warn_deprecation(cfg, file);
  const Value* base = cfg.find(kBaseKey);
  if (!base) {
    if (!vars.empty()) check_placeholders_unused(Value(cfg), vars);
    return cfg;
  }
  Value base_spec = *base;
  cfg.erase(kBaseKey);
  Dict bases = merge_bases(base_spec, file, state);
  Value child(std::move(cfg));
  if (!vars.empty()) substitute_base_vars(child, vars, bases);
  return merge_config(child, Value(std::move(bases))).as_dict();
}

}  // namespace

Dict load_config(const std::string& path, const ConfigLoadOptions& options) {
  LoadState state{options, {}};
  return load_file(path, Location{}, state);
}

Dict load_config_text(std::string_view text, const std::string& filename,
                      const ConfigLoadOptions& options) {
  LoadState state{options, {}};
  fs::path file = fs::absolute(filename).lexically_normal();
  state.chain.push_back(file);
  return load_text(std::string(text), file, state);
}

}  // namespace tubelet
