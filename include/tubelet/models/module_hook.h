// MMAction2's module hooks (mmaction/utils/module_hooks.py): functions run on a sub-module's
// input, listed in a config's top-level `module_hooks` and registered on the model by
// `tubelet train` and `tubelet test` (as tools/train.py and tools/test.py do). Tubelet runs
// them before the backbone (`hooked_module='backbone'`, `hook_pos='forward_pre'`), the place
// MMAction2's only module hook, GPUNormalize, is used.
#pragma once

#include <torch/types.h>

#include "tubelet/config/value.h"
#include "tubelet/registry.h"

namespace tubelet {

class ModuleHook {
 public:
  virtual ~ModuleHook() = default;
  // The input the hooked module's forward then receives.
  virtual torch::Tensor forward_pre(const torch::Tensor& input) const = 0;
};

TUBELET_REGISTRY_BASE(ModuleHook, "tubelet/models/module_hook.h");
Registry<ModuleHook>& MODULE_HOOKS();

// Builds each entry of `module_hooks` (a list of dicts with `type`, and `hooked_module` and
// `hook_pos` as MMAction2 reads them) and attaches it to `model`, which must be a recognizer.
// Anything Tubelet cannot hook (another module or position) is an error naming the entry.
void register_module_hooks(torch::nn::Module& model, const Value& module_hooks);

}  // namespace tubelet
