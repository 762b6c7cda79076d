// tubelet inspect CONFIG [--key model]: builds the model and prints its state_dict as JSON,
// {"state_dict": [[name, [shape...]], ...], "params": N}: the names and shapes an MMAction2
// checkpoint must have, in PyTorch's state_dict order, buffers included; N counts the
// parameters' elements.
#include <iostream>

#include "commands.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/models/builder.h"
#include "tubelet/plugin.h"

namespace tubelet::cli {

namespace {

struct InspectOptions {
  std::string config;
  std::string key = "model";
  std::vector<std::string> cfg_options;
};

Value shape_of(const torch::Tensor& t) {
  List dims;
  for (int64_t d : t.sizes()) dims.push_back(Value(d));
  return Value::list(std::move(dims));
}

void inspect(const InspectOptions& o) {
  Dict cfg = load_config_for_command(o.config, o.cfg_options);
  const Value* model_cfg = cfg.find(o.key);
  if (!model_cfg) throw ConfigError("the config has no '" + o.key + "'");
  auto model = build_model(*model_cfg, o.key);
  List entries;
  for (const auto& item : checkpoint::state_dict(*model))
    entries.push_back(Value::list({Value(item.key()), shape_of(item.value())}));
  int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  Dict out;
  out.set("state_dict", Value::list(std::move(entries)));
  out.set("params", Value(parameters));
  std::cout << to_json(Value(std::move(out)), 1) << "\n";
}

}  // namespace

void add_inspect(CLI::App& app) {
  auto o = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "Build a config's model and list its state_dict");
  cmd->add_option("config", o->config, "Config file")->required();
  cmd->add_option("--key", o->key, "Top-level key of the model config (default: model)");
  cmd->add_option("--cfg-options", o->cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->callback([o] { inspect(*o); });
}

}  // namespace tubelet::cli
