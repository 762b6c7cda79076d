#include "tubelet/fileio/model_cache.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>

#include "fileio/model_zoo_tables.h"
#include "tubelet/config/error.h"
#include "tubelet/fileio/download.h"

namespace tubelet {

namespace fs = std::filesystem;

namespace {

// A table name -> URL; nullopt where the table says null (a model without weights).
using UrlTable = std::map<std::string, std::optional<std::string>>;

std::atomic<bool> g_offline{false};

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool is_url(const std::string& s) {
  return starts_with(s, "http://") || starts_with(s, "https://");
}

// The variable's value, or `fallback` when it is unset or empty.
std::string env_or_model_cache(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string(value) : fallback;
}

// Python's os.path.expanduser for "~" and "~/...", the forms these paths take.
fs::path expand_user(const std::string& path) {
  if (path != "~" && !starts_with(path, "~/")) return path;
  const char* home = std::getenv("HOME");
  if (!home || !*home)
    throw std::runtime_error("cannot expand " + path + ": HOME is not set (set TORCH_HOME)");
  return std::string(home) + path.substr(1);
}

fs::path mmcv_home() {
  return expand_user(
      env_or_model_cache("MMCV_HOME", env_or_model_cache("XDG_CACHE_HOME", "~/.cache") + "/mmcv"));
}

void add_entries(UrlTable& table, const std::string& json_text, const std::string& source) {
  const auto json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) throw ConfigError(source + ": not a JSON object of names and URLs");
  for (const auto& [key, value] : json.items()) {
    if (value.is_string())
      table[key] = value.get<std::string>();
    else if (value.is_null())
      table[key] = std::nullopt;
    else
      throw ConfigError(source + ": the entry '" + key + "' is not a string");
  }
}

UrlTable table_of(const char* json_text, const std::string& source) {
  UrlTable table;
  add_entries(table, json_text, source);
  return table;
}

// mmcv 1.7.0's get_torchvision_models() with torchvision 0.14: the 0.12 names, then each
// model's weights as "<model>.default" and "<model>.<weights>".
const UrlTable& torchvision_table() {
  static const UrlTable table = [] {
    UrlTable t = table_of(model_zoo::kTorchvision012Json, "torchvision_0.12.json");
    add_entries(t, model_zoo::kTorchvision014WeightsJson, "torchvision 0.14 weights");
    return t;
  }();
  return table;
}

// mmcv's get_external_models(): its open_mmlab.json, updated by $MMCV_HOME/open_mmlab.json.
UrlTable openmmlab_table() {
  UrlTable table = table_of(model_zoo::kOpenMMLabJson, "open_mmlab.json");
  const fs::path user_table = mmcv_home() / "open_mmlab.json";
  std::error_code ec;
  if (fs::is_regular_file(user_table, ec)) {
    std::ifstream in(user_table);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    add_entries(table, text, user_table.string());
  }
  return table;
}

std::string lookup(const UrlTable& table, const std::string& key, const std::string& name,
                   const std::string& table_name) {
  auto it = table.find(key);
  if (it == table.end()) throw ConfigError(name + ": '" + key + "' is not in " + table_name);
  if (!it->second)
    throw ConfigError(name + ": " + table_name + " has no weights for '" + key + "'");
  return *it->second;
}

std::string torchvision_location(const std::string& name, const std::string& model) {
  // As mmcv: "ResNet50_Weights.IMAGENET1K_V1" and "resnet50.imagenet1k_v1" are one name.
  std::string key = model;
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (size_t p; (p = key.find("_weights")) != std::string::npos;) key.erase(p, 8);
  return lookup(torchvision_table(), key, name,
                "torchvision 0.14's weights table (as mmcv 1.7.0 builds it)");
}

std::string openmmlab_location(const std::string& name, const std::string& prefix,
                               std::string model) {
  static const UrlTable deprecated = table_of(model_zoo::kDeprecatedJson, "deprecated.json");
  auto old = deprecated.find(model);
  if (old != deprecated.end() && old->second) {
    std::cerr << "DeprecationWarning: " << prefix << model << " is deprecated in favor of "
              << prefix << *old->second << "\n";
    model = *old->second;
  }
  const std::string location = lookup(openmmlab_table(), model, name, "mmcv's open_mmlab.json");
  return is_url(location) ? location : (mmcv_home() / location).string();
}

// The file name torch.hub gives a URL's download: the last part of its path.
std::string file_name_of(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  const size_t host = path.find("://");
  path = host == std::string::npos ? path : path.substr(host + 3);
  const size_t slash = path.find('/');
  std::string name = slash == std::string::npos ? "" : path.substr(path.rfind('/') + 1);
  if (name.empty() || name == "." || name == "..")
    throw std::runtime_error("cannot download " + url + ": its path names no file");
  return name;
}

// torch.hub's load_state_dict_from_url: the cached file, downloaded when missing.
fs::path cached_download(const std::string& url, const std::string& name) {
  const fs::path dir = torch_hub_checkpoint_dir();
  const std::string file_name = file_name_of(url);
  const fs::path file = dir / file_name;
  std::error_code ec;
  if (fs::exists(file, ec)) return file;
  const std::string what = url + (name == url ? "" : " (" + name + ")");
  if (offline())
    throw std::runtime_error("cannot download " + what + ": downloads are off (--offline or " +
                             "TUBELET_OFFLINE); put the file at " + file.string());
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  std::cerr << "Downloading: \"" << url << "\" to " << file.string() << "\n";
  download_url_to_file(url, file, hash_prefix_of(file_name));
  return file;
}

}  // namespace

std::string checkpoint_scheme(const std::string& name) {
  if (starts_with(name, "torchvision://") || starts_with(name, "modelzoo://")) return "torchvision";
  if (starts_with(name, "open-mmlab://") || starts_with(name, "openmmlab://")) return "openmmlab";
  if (starts_with(name, "mmcls://")) return "mmcls";
  if (is_url(name)) return "http";
  return "local";
}

std::string checkpoint_location(const std::string& name) {
  const std::string scheme = checkpoint_scheme(name);
  if (scheme == "torchvision") {
    const bool old = starts_with(name, "modelzoo://");
    if (old)
      std::cerr << "DeprecationWarning: The URL scheme of \"modelzoo://\" is deprecated, please "
                   "use \"torchvision://\" instead\n";
    return torchvision_location(name, name.substr(old ? 11 : 14));
  }
  if (scheme == "openmmlab") {
    const std::string prefix =
        starts_with(name, "open-mmlab://") ? "open-mmlab://" : "openmmlab://";
    return openmmlab_location(name, prefix, name.substr(prefix.size()));
  }
  if (scheme == "mmcls") {
    static const UrlTable mmcls = table_of(model_zoo::kMMClsJson, "mmcls.json");
    return lookup(mmcls, name.substr(8), name, "mmcv's mmcls.json");
  }
  if (scheme == "http") return name;
  // mmcv reads these through pavi's and petrel's clients, which Tubelet does not have.
  static const std::regex kS3("^(\\S+:)?s3://");  // mmcv's prefix ("bucket:s3://" too)
  if (starts_with(name, "pavi://") || std::regex_search(name, kS3))
    throw ConfigError(name +
                      ": pavi:// and s3:// checkpoints are not supported: download the "
                      "file and give its path");
  return name;
}

std::string checkpoint_name_problem(const std::string& name) {
  try {
    checkpoint_location(name);
    return "";
  } catch (const ConfigError& e) {
    return e.message();
  }
}

void check_checkpoint_name(const std::string& name, const std::string& where) {
  const std::string why = checkpoint_name_problem(name);
  if (!why.empty()) throw ConfigError(where + ": pretrained=" + why);
}

fs::path resolve_checkpoint(const std::string& name) {
  const std::string location = checkpoint_location(name);
  if (is_url(location)) return cached_download(location, name);
  return expand_user(location);  // as mmcv's load_from_local
}

fs::path torch_hub_checkpoint_dir() {
  const std::string torch_home =
      env_or_model_cache("TORCH_HOME", env_or_model_cache("XDG_CACHE_HOME", "~/.cache") + "/torch");
  return expand_user(torch_home) / "hub" / "checkpoints";
}

void set_offline(bool offline) {
  g_offline = offline;
}

bool offline() {
  const std::string env = env_or_model_cache("TUBELET_OFFLINE", "");
  return g_offline || (!env.empty() && env != "0");
}

}  // namespace tubelet
