// tubelet list-modules [REGISTRY]
#include <iostream>

#include "commands.h"
#include "tubelet/registry.h"

namespace tubelet::cli {

namespace {

void print_registry(const RegistryBase& registry) {
  std::vector<std::string> names = registry.names();
  std::cout << registry.name() << " (" << names.size() << ")\n";
  for (const std::string& name : names) std::cout << "  " << name << "\n";
}

void list_modules(const std::string& only) {
  if (!only.empty()) {
    RegistryBase* registry = find_registry(only);
    if (!registry) {
      std::string known;
      for (RegistryBase* r : all_registries()) known += (known.empty() ? "" : ", ") + r->name();
      throw ConfigError("no registry named '" + only + "' (registries: " + known + ")");
    }
    print_registry(*registry);
    return;
  }
  for (RegistryBase* registry : all_registries()) print_registry(*registry);
}

}  // namespace

void add_list_modules(CLI::App& app) {
  auto only = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("list-modules", "List every registered module by registry");
  cmd->add_option("registry", *only, "Only this registry (e.g. BACKBONES)");
  cmd->callback([only] { list_modules(*only); });
}

}  // namespace tubelet::cli
