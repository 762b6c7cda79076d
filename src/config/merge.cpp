// mmcv's Config._merge_a_into_b: how a child config (or --cfg-options) lands on its base.
#include <cctype>

#include "tubelet/config/config.h"

namespace tubelet {

namespace {

constexpr const char* kDeleteKey = "_delete_";

bool is_digits(const Value& k) {
  if (!k.is_str() || k.as_str().empty()) return false;
  for (char c : k.as_str())
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Python's str(type(x)) as mmcv's message prints it: "<class 'int'>".
std::string class_name(const Value& v) {
  return std::string("<class '") + v.type_name() + "'>";
}

std::string key_text(const Value& k) {
  return k.is_str() ? k.as_str() : repr(k);
}

void merge_into_list_item(const Value& key, const Value& child, Value& base, bool allow_list_keys) {
  List& items = base.mutable_list();
  const std::string& digits = key.as_str();
  size_t index = digits.size() > 18 ? SIZE_MAX : std::stoull(digits);
  if (index >= items.size())
    throw ConfigError("KeyError: Index " + digits + " exceeds the length of list " + repr(base),
                      child.location());
  // A dict merges into the item; any other value replaces it.
  items[index] = child.is_dict() ? merge_config(child, items[index], allow_list_keys) : child;
}

}  // namespace

Value merge_config(const Value& child, const Value& base, bool allow_list_keys) {
  Value result = base;
  for (const auto& [key, value] : child.as_dict()) {
    if (allow_list_keys && is_digits(key) && result.is_list()) {
      merge_into_list_item(key, value, result, allow_list_keys);
      continue;
    }
    if (result.is_list())
      throw ConfigError("cannot set key '" + key_text(key) + "' in a list (use an index)",
                        value.location());
    Dict& out = result.mutable_dict();
    const Value* existing = out.find(key);
    if (!value.is_dict() || !existing) {
      out.set(key, value);  // `_delete_` stays on a new key, as in mmcv
      continue;
    }
    Value v = value;
    const Value* del = v.as_dict().find(kDeleteKey);
    bool replace = del && is_truthy(*del);
    if (del) v.mutable_dict().erase(kDeleteKey);
    if (replace) {
      out.set(key, v);
      continue;
    }
    bool mergeable = existing->is_dict() || (allow_list_keys && existing->is_list());
    if (!mergeable)
      throw ConfigError("TypeError: " + key_text(key) + "=" + repr(v) +
                            " in child config cannot inherit from base because " + key_text(key) +
                            " is a dict in the child config but is of type " +
                            class_name(*existing) +
                            " in base config. You may set `_delete_=True` to ignore the base "
                            "config.",
                        value.location());
    out.set(key, merge_config(v, *existing, allow_list_keys));
  }
  return result;
}

}  // namespace tubelet
