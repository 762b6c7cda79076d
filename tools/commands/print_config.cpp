// tubelet print-config CONFIG [--cfg-options k=v ...] [--format py|json]
#include <iostream>

#include "commands.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/plugin.h"

namespace tubelet::cli {

namespace {

struct PrintConfigOptions {
  std::string config;
  std::vector<std::string> cfg_options;
  std::string format = "py";
};

void print_config(const PrintConfigOptions& o) {
  Dict cfg = load_config_for_command(o.config, o.cfg_options);
  if (o.format == "json")
    std::cout << to_json(Value(cfg), 1) << "\n";
  else
    std::cout << to_python_config(cfg);
}

}  // namespace

void add_print_config(CLI::App& app) {
  auto o = std::make_shared<PrintConfigOptions>();
  CLI::App* cmd =
      app.add_subcommand("print-config", "Print a config after inheritance and overrides");
  cmd->add_option("config", o->config, "Config file (.py, .json, .yaml)")->required();
  cmd->add_option("--cfg-options", o->cfg_options,
                  "Override settings, e.g. model.backbone.depth=18 'data.train.pipeline.0.type=X'")
      ->expected(0, -1);
  cmd->add_option("--format", o->format, "Output format: py (default) or json")
      ->check(CLI::IsMember({"py", "json"}));
  cmd->callback([o] { print_config(*o); });
}

}  // namespace tubelet::cli
