#include "tubelet/args.h"

namespace tubelet {

Args::Args(Value cfg, std::string module, std::string path)
    : cfg_(std::move(cfg)), module_(std::move(module)), path_(std::move(path)) {
  if (!cfg_.is_dict()) throw ConfigError(module_ + ": arguments must be a dict", cfg_.location());
}

bool Args::has(std::string_view key) const {
  return cfg_.as_dict().contains(key);
}

const Value* Args::find(std::string_view key) {
  const Value* v = cfg_.as_dict().find(key);
  if (v) read_.emplace(key);
  return v;
}

std::string Args::where() const {
  std::string file = cfg_.location().str();
  if (path_.empty()) return file;
  return file.empty() ? path_ : path_ + " in " + file;
}

ConfigError Args::error(std::string_view key, const std::string& message) const {
  // Point at the argument's own line when it has one, else at the module's dict.
  const Value* v = cfg_.as_dict().find(key);
  Location loc = v && v->location().known() ? v->location() : cfg_.location();
  std::string file = loc.str();
  std::string place = path_.empty() ? file : file.empty() ? path_ : path_ + " in " + file;
  return ConfigError(module_ + ": " + message + (place.empty() ? "" : " (" + place + ")"));
}

void Args::finish() const {
  for (const auto& [key, value] : cfg_.as_dict()) {
    std::string name = key.is_str() ? key.as_str() : repr(key);
    if (!key.is_str() || !read_.count(name))
      throw error(name, "unexpected argument '" + name + "'");
  }
}

}  // namespace tubelet
