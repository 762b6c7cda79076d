// Plugins: shared libraries, built against an installed Tubelet, whose modules register
// themselves when the library is loaded (the C++ side of mmcv's `custom_imports`).
#pragma once

#include <string>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet {

// The directories searched for a plugin given by name: $TUBELET_PLUGIN_PATH (':'-separated),
// then <install prefix>/lib/tubelet/plugins next to libtubelet.so.
std::vector<std::string> plugin_search_path();

// Loads a plugin: a path (it holds a '/' or ends in ".so") or a name searched on the plugin
// path as lib<name>.so and <name>.so. Loading the same library twice does nothing.
// Throws ConfigError with the loader's reason, or the registration errors the library
// caused (a module name registered twice, for example). Returns the resolved path.
std::string load_plugin(const std::string& name_or_path);

// mmcv's custom_imports = dict(imports=[...], allow_failed_imports=False): loads each entry.
// With allow_failed_imports a failure is a warning on stderr instead of an error.
void import_custom_modules(const Dict& cfg);

// What every command does with its CONFIG argument: load it, import its custom_imports,
// then apply `--cfg-options` (mmcv's order in MMAction2's tools).
Dict load_config_for_command(const std::string& path, const std::vector<std::string>& cfg_options);

}  // namespace tubelet
