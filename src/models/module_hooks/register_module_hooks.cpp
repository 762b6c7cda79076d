// The config's `module_hooks`, attached to a recognizer's backbone input (module_hook.h).
#include "tubelet/args.h"
#include "tubelet/config/error.h"
#include "tubelet/models/module_hook.h"
#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet {

TUBELET_DEFINE_REGISTRY(Registry<ModuleHook>, MODULE_HOOKS)

void register_module_hooks(torch::nn::Module& model, const Value& module_hooks) {
  if (module_hooks.is_none()) return;
  if (!module_hooks.is_list())
    throw ConfigError("module_hooks must be a list of dicts", module_hooks.location());
  const List& hooks = module_hooks.as_list();
  if (hooks.empty()) return;
  auto* recognizer = dynamic_cast<BaseRecognizerImpl*>(&model);
  if (!recognizer)
    throw ConfigError("module_hooks: Tubelet hooks recognizers' backbones only",
                      module_hooks.location());
  for (size_t i = 0; i < hooks.size(); ++i) {
    const std::string where = "module_hooks[" + std::to_string(i) + "]";
    if (!hooks[i].is_dict()) throw ConfigError(where + " must be a dict", hooks[i].location());
    // As MMAction2 pops them before building the hook.
    Dict cfg = hooks[i].as_dict();
    const Value module =
        cfg.contains("hooked_module") ? cfg.at("hooked_module") : Value("backbone");
    const Value position = cfg.contains("hook_pos") ? cfg.at("hook_pos") : Value("forward_pre");
    cfg.erase("hooked_module");
    cfg.erase("hook_pos");
    if (!module.is_str() || module.as_str() != "backbone")
      throw ConfigError(where + ": hooked_module " + repr(module) +
                            ": Tubelet runs module hooks on the backbone only",
                        hooks[i].location());
    if (!position.is_str() || position.as_str() != "forward_pre")
      throw ConfigError(where + ": hook_pos " + repr(position) +
                            ": Tubelet runs module hooks before the forward ('forward_pre') only",
                        hooks[i].location());
    recognizer->backbone_pre_hooks.push_back(
        MODULE_HOOKS().build(Value(std::move(cfg)), BuildContext(where, Dict{})));
  }
}

}  // namespace tubelet
