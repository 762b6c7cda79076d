#include "tubelet/registry.h"

#include <algorithm>
#include <cctype>

#include "tubelet/did_you_mean.h"

namespace tubelet {

namespace {

std::mutex& registries_mutex() {
  static std::mutex m;
  return m;
}

std::vector<RegistryBase*>& registries() {
  static std::vector<RegistryBase*> all;
  return all;
}

std::vector<std::string>& pending_errors() {
  static std::vector<std::string> errors;
  return errors;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Levenshtein distance, case-insensitive: how far a typo is from a registered name.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::string x = lower(a), y = lower(b);
  std::vector<size_t> row(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] != y[j - 1])});
      diagonal = up;
    }
  }
  return row[y.size()];
}

}  // namespace

RegistryBase::RegistryBase(std::string name) : name_(std::move(name)) {
  std::lock_guard<std::mutex> lock(registries_mutex());
  registries().push_back(this);
}

RegistryBase::~RegistryBase() {
  std::lock_guard<std::mutex> lock(registries_mutex());
  auto& all = registries();
  all.erase(std::remove(all.begin(), all.end(), this), all.end());
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    size_t d = edit_distance(word, candidate);
    if (d < best_distance) best_distance = d, best = candidate;
  }
  return best.empty() ? std::string() : "; did you mean '" + best + "'?";
}

std::string RegistryBase::unknown_type_message(std::string_view type) const {
  std::string message = "'" + std::string(type) + "' is not in the " + name_ + " registry";
  const std::vector<std::string> all = names();
  if (std::string suggestion = did_you_mean(type, all); !suggestion.empty())
    return message + suggestion;
  if (all.empty()) return message + " (it is empty)";
  return message;
}

std::vector<RegistryBase*> all_registries() {
  std::lock_guard<std::mutex> lock(registries_mutex());
  return registries();
}

RegistryBase* find_registry(std::string_view name) {
  for (RegistryBase* r : all_registries())
    if (r->name() == name) return r;
  return nullptr;
}

namespace detail {

std::pair<std::string, Args> split_module_config(const Value& cfg, const BuildContext& context,
                                                 const std::string& registry) {
  std::string at = context.path.empty() ? std::string() : " at " + context.path;
  if (!cfg.is_dict())
    throw ConfigError("a " + registry + " module config" + at +
                          " must be a dict with a 'type', not " + cfg.type_name() + " " + repr(cfg),
                      cfg.location());
  const Value* type = cfg.as_dict().find("type");
  if (!type)
    throw ConfigError("the " + registry + " module config" + at + " has no 'type'", cfg.location());
  if (!type->is_str())
    throw ConfigError("'type' of the " + registry + " module config" + at + " must be a str, not " +
                          type->type_name(),
                      type->location());
  Value args_cfg = cfg;
  Dict& d = args_cfg.mutable_dict();
  d.erase("type");
  for (const auto& [k, v] : context.default_args)
    if (!d.contains(k)) d.set(k, v);  // mmcv's default_args: setdefault
  return {type->as_str(), Args(args_cfg, type->as_str(), context.path)};
}

bool register_at_load(const std::function<void()>& registration) {
  try {
    registration();
  } catch (const std::exception& e) {
    // The registrations made here come from TUBELET_REGISTER: Registry::add's "force=true" is
    // TUBELET_REGISTER_FORCE to their authors.
    std::string message = e.what();
    const std::string force = "register with force=true";
    if (size_t at = message.find(force); at != std::string::npos)
      message.replace(at, force.size(), "register it with TUBELET_REGISTER_FORCE");
    std::lock_guard<std::mutex> lock(registries_mutex());
    pending_errors().push_back(message);
  }
  return true;
}

}  // namespace detail

void throw_pending_registration_errors() {
  std::vector<std::string> errors;
  {
    std::lock_guard<std::mutex> lock(registries_mutex());
    errors.swap(pending_errors());
  }
  if (errors.empty()) return;
  std::string message = "module registration failed: " + errors[0];
  for (size_t i = 1; i < errors.size(); ++i) message += "; " + errors[i];
  throw ConfigError(message);
}

}  // namespace tubelet
