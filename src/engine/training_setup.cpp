#include "tubelet/engine/training_setup.h"

#include "tubelet/config/error.h"
#include "tubelet/engine/hooks/lr_updater_hook.h"
#include "tubelet/engine/hooks/momentum_updater_hook.h"

namespace tubelet {

namespace {

Value get_or_none(const Dict& cfg, const char* key) {
  const Value* v = cfg.find(key);
  return v ? *v : Value();
}

Value with_default_type(const Value& cfg, const char* type) {
  Value out = cfg;
  if (!out.mutable_dict().contains("type")) out.mutable_dict().set("type", Value(type));
  return out;
}

void require_dict(const Value& v, const std::string& path) {
  if (!v.is_dict()) throw ConfigError(path + " must be a dict or None", v.location());
}

void register_logger_hooks(Runner& runner, const Value& log_config) {
  require_dict(log_config, "log_config");
  const Dict& cfg = log_config.as_dict();
  if (!cfg.contains("interval"))
    throw ConfigError("log_config: KeyError: 'interval'", log_config.location());
  Dict defaults;
  defaults.set("interval", cfg.at("interval"));
  const Value hooks = get_or_none(cfg, "hooks");
  if (hooks.is_none()) return;
  if (!hooks.is_sequence()) throw ConfigError("log_config.hooks must be a list", hooks.location());
  for (size_t i = 0; i < hooks.as_list().size(); ++i) {
    const std::string path = "log_config.hooks[" + std::to_string(i) + "]";
    runner.register_hook(HOOKS().build(hooks.as_list()[i], BuildContext(path, defaults)),
                         Value("VERY_LOW"));
  }
}

void register_custom_hooks(Runner& runner, const Value& custom_hooks) {
  List items = custom_hooks.is_sequence() ? custom_hooks.as_list() : List{custom_hooks};
  for (size_t i = 0; i < items.size(); ++i)
    runner.register_hook_from_cfg(items[i], "custom_hooks[" + std::to_string(i) + "]");
}

}  // namespace

Value runner_config(const Dict& cfg) {
  if (const Value* runner = cfg.find("runner"); runner && !runner->is_none()) {
    require_dict(*runner, "runner");
    return *runner;
  }
  const Value* total = cfg.find("total_epochs");
  if (!total || total->is_none())
    throw ConfigError(
        "the config sets neither runner = dict(type=..., max_epochs=...) nor "
        "total_epochs");
  Dict runner;
  runner.set("type", Value("EpochBasedRunner"));
  runner.set("max_epochs", *total);
  return Value(std::move(runner)).at(total->location());
}

std::shared_ptr<Runner> build_runner(const Value& runner_cfg, RunnerParts parts) {
  return RUNNERS().build(runner_cfg, BuildContext("runner"), std::move(parts));
}

TrainingHookConfigs training_hook_configs(const Dict& cfg) {
  TrainingHookConfigs c;
  c.lr_config = get_or_none(cfg, "lr_config");
  c.optimizer_config = get_or_none(cfg, "optimizer_config");
  c.checkpoint_config = get_or_none(cfg, "checkpoint_config");
  c.log_config = get_or_none(cfg, "log_config");
  c.momentum_config = get_or_none(cfg, "momentum_config");
  Dict timer;
  timer.set("type", Value("IterTimerHook"));
  c.timer_config = Value(std::move(timer));
  c.custom_hooks = get_or_none(cfg, "custom_hooks");
  return c;
}

void register_training_hooks(Runner& runner, const TrainingHookConfigs& c) {
  if (!c.lr_config.is_none())
    runner.register_hook(build_lr_updater_hook(c.lr_config, "lr_config"), Value("VERY_HIGH"));
  if (!c.momentum_config.is_none())
    runner.register_hook(build_momentum_updater_hook(c.momentum_config, "momentum_config"),
                         Value("HIGH"));
  if (!c.optimizer_config.is_none()) {
    require_dict(c.optimizer_config, "optimizer_config");
    runner.register_hook(HOOKS().build(with_default_type(c.optimizer_config, "OptimizerHook"),
                                       BuildContext("optimizer_config")),
                         Value("ABOVE_NORMAL"));
  }
  if (!c.checkpoint_config.is_none()) {
    require_dict(c.checkpoint_config, "checkpoint_config");
    runner.register_hook(HOOKS().build(with_default_type(c.checkpoint_config, "CheckpointHook"),
                                       BuildContext("checkpoint_config")),
                         Value("NORMAL"));
  }
  if (!c.timer_config.is_none())
    runner.register_hook(HOOKS().build(c.timer_config, BuildContext("timer_config")), Value("LOW"));
  if (!c.log_config.is_none()) register_logger_hooks(runner, c.log_config);
  if (!c.custom_hooks.is_none()) register_custom_hooks(runner, c.custom_hooks);
}

namespace {

Value path_or_none(const Dict& cfg, const char* key) {
  Value v = get_or_none(cfg, key);
  if (!v.is_none() && !v.is_str())
    throw ConfigError(
        std::string(key) + " must be a checkpoint path (a string) or None, not " + repr(v),
        v.location());
  return v;
}

}  // namespace

ResumeConfig read_resume_config(const Dict& cfg) {
  ResumeConfig start;
  start.resume_from = path_or_none(cfg, "resume_from");
  start.auto_resume = is_truthy(get_or_none(cfg, "auto_resume"));
  start.load_from = path_or_none(cfg, "load_from");
  return start;
}

std::string resume_or_load(Runner& runner, const ResumeConfig& start) {
  if (!start.resume_from.is_none()) {
    runner.resume(start.resume_from.as_str());
    return start.resume_from.as_str();
  }
  if (start.auto_resume) {
    auto latest = runner.work_dir() / "latest.pth";
    if (std::filesystem::exists(latest)) {
      runner.resume(latest);
      return latest.string();
    }
  }
  if (!start.load_from.is_none()) {
    runner.load_checkpoint(start.load_from.as_str());
    return start.load_from.as_str();
  }
  return "";
}

}  // namespace tubelet
