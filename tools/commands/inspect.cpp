// tubelet inspect CONFIG [--key model]: builds the model and lists its state_dict entries,
// the names an MMAction2 checkpoint must use.
#include <iostream>

#include "commands.h"
#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"
#include "tubelet/plugin.h"

namespace tubelet::cli {

namespace {

struct InspectOptions {
  std::string config;
  std::string key = "model";
  std::vector<std::string> cfg_options;
};

std::string shape_of(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

void inspect(const InspectOptions& o) {
  Dict cfg = load_config(o.config);
  import_custom_modules(cfg);
  apply_cfg_options(cfg, o.cfg_options);
  const Value* model_cfg = cfg.find(o.key);
  if (!model_cfg) throw ConfigError("the config has no '" + o.key + "'");
  auto model = build_model(*model_cfg, o.key);
  int64_t parameters = 0;
  for (const auto& p : model->named_parameters()) {
    std::cout << p.key() << " " << shape_of(p.value()) << "\n";
    parameters += p.value().numel();
  }
  for (const auto& b : model->named_buffers())
    std::cout << b.key() << " " << shape_of(b.value()) << "\n";
  std::cout << "# parameters: " << parameters << "\n";
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
