// tubelet param-groups CONFIG [--cfg-options ...]: builds the model and the optimizer as
// `optimizer` (constructor, paramwise_cfg) says, and prints the param groups as JSON: a list
// of {"params": [names in model order], "lr": x, "weight_decay": y, ...every other option}.
#include <iostream>

#include "commands.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/models/builder.h"
#include "tubelet/optim/optimizer_constructor.h"
#include "tubelet/plugin.h"

namespace tubelet::cli {

namespace {

// Python's json.dumps writes tuples (betas) as lists; so does this command.
Value tuples_as_lists(const Value& v) {
  if (v.is_sequence()) {
    List items;
    for (const Value& item : v.as_list()) items.push_back(tuples_as_lists(item));
    return Value::list(std::move(items));
  }
  if (v.is_dict()) {
    Dict d;
    for (const auto& [key, value] : v.as_dict().items()) d.set(key, tuples_as_lists(value));
    return Value(std::move(d));
  }
  return v;
}

struct ParamGroupsOptions {
  std::string config;
  std::vector<std::string> cfg_options;
};

void param_groups(const ParamGroupsOptions& o) {
  Dict cfg = load_config_for_command(o.config, o.cfg_options);
  if (!cfg.contains("model")) throw ConfigError(o.config + ": the config has no 'model'");
  if (!cfg.contains("optimizer")) throw ConfigError(o.config + ": the config has no 'optimizer'");
  auto model = build_model(cfg.at("model"), "model");
  auto constructor = build_optimizer_constructor(cfg.at("optimizer"), "optimizer");
  auto specs = constructor->param_groups(*model);
  auto optimizer = constructor->build(*model);
  Value groups = tuples_as_lists(Value::list(describe_param_groups(specs, *optimizer)));
  std::cout << to_json(groups, 1) << "\n";
}

}  // namespace

void add_param_groups(CLI::App& app) {
  auto o = std::make_shared<ParamGroupsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "param-groups", "Print the optimizer's parameter groups that the config's constructor makes");
  cmd->add_option("config", o->config, "Config file")->required();
  cmd->add_option("--cfg-options", o->cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->callback([o] { param_groups(*o); });
}

}  // namespace tubelet::cli
