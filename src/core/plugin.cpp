#include "tubelet/plugin.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>

#include "tubelet/args.h"
#include "tubelet/config/config.h"
#include "tubelet/registry.h"
#include "tubelet/top_level_keys.h"

namespace fs = std::filesystem;

namespace tubelet {

namespace {

bool looks_like_path(const std::string& s) {
  return s.find('/') != std::string::npos ||
         (s.size() > 3 && s.compare(s.size() - 3, 3, ".so") == 0);
}

// The directory libtubelet.so was loaded from, to find <prefix>/lib/tubelet/plugins.
std::string library_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&plugin_search_path), &info) && info.dli_fname)
    return fs::path(info.dli_fname).parent_path().string();
  return "";
}

std::string resolve(const std::string& name) {
  if (looks_like_path(name)) return name;
  std::string tried;
  for (const std::string& dir : plugin_search_path()) {
    for (const std::string& file : {"lib" + name + ".so", name + ".so"}) {
      fs::path candidate = fs::path(dir) / file;
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) return candidate.string();
      tried += (tried.empty() ? "" : ", ") + candidate.string();
    }
  }
  throw ConfigError("plugin '" + name + "' not found on the plugin path (tried " +
                    (tried.empty() ? std::string("nothing: the path is empty") : tried) +
                    "; set TUBELET_PLUGIN_PATH or give a path to the .so)");
}

}  // namespace

std::vector<std::string> plugin_search_path() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("TUBELET_PLUGIN_PATH")) {
    std::string path = env;
    size_t start = 0;
    while (start <= path.size()) {
      size_t colon = path.find(':', start);
      std::string dir = path.substr(start, colon == std::string::npos ? colon : colon - start);
      if (!dir.empty()) dirs.push_back(dir);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  std::string lib = library_dir();
  if (!lib.empty()) dirs.push_back((fs::path(lib) / "tubelet" / "plugins").string());
  return dirs;
}

std::string load_plugin(const std::string& name_or_path) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  std::string path = resolve(name_or_path);
  // Never unloaded: registered creators point into the library.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    const char* reason = dlerror();
    throw ConfigError("cannot load plugin '" + name_or_path +
                      "': " + (reason ? reason : "unknown dlopen error"));
  }
  try {
    throw_pending_registration_errors();
  } catch (const ConfigError& e) {
    throw ConfigError("plugin '" + path + "': " + e.message());
  }
  // Said once per library, as the other load-time notes are (on stderr): which plugin it was
  // and the file it came from, which the plugin path may have chosen.
  static std::set<std::string> announced;
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(path, ec);
  if (announced.insert(ec ? path : canonical.string()).second)
    std::cerr << "tubelet: loaded plugin '" << name_or_path << "' from " << path << "\n";
  return path;
}

void import_custom_modules(const Dict& cfg) {
  const Value* custom = cfg.find("custom_imports");
  if (!custom || custom->is_none()) return;
  Args args(*custom, "custom_imports", "custom_imports");
  auto imports = args.get<Value>("imports", Value::list());
  bool allow_failed = args.get("allow_failed_imports", false);
  args.finish();
  List names;
  if (imports.is_str())
    names.push_back(imports);
  else if (imports.is_sequence())
    names = imports.as_list();
  else
    throw args.error("imports", "'imports' must be a str or a list of str");
  for (const Value& name : names) {
    if (!name.is_str()) throw args.error("imports", "'imports' must be a str or a list of str");
    try {
      load_plugin(name.as_str());
    } catch (const ConfigError& e) {
      if (!allow_failed) throw ConfigError(e.message(), name.location());
      std::cerr << "UserWarning: " << name.as_str()
                << " failed to import and is ignored: " << e.message() << "\n";
    }
  }
}

Dict load_config_for_command(const std::string& path, const std::vector<std::string>& cfg_options) {
  Dict cfg = load_config(path);
  for (const std::string& line : misspelt_top_level_keys(cfg))
    std::cerr << "UserWarning: " << line << "\n";
  import_custom_modules(cfg);
  apply_cfg_options(cfg, cfg_options);
  return cfg;
}

}  // namespace tubelet
