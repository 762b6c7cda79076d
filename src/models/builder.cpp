#include "tubelet/models/builder.h"

#include "tubelet/models/registries.h"

namespace tubelet {

std::shared_ptr<torch::nn::Module> build_model(const Value& cfg, const std::string& path) {
  ModuleRegistry* const order[] = {&RECOGNIZERS(), &LOCALIZERS(), &BACKBONES(),
                                   &NECKS(),       &HEADS(),      &LOSSES()};
  const Value* type = cfg.is_dict() ? cfg.as_dict().find("type") : nullptr;
  if (type && type->is_str()) {
    for (ModuleRegistry* registry : order)
      if (registry->contains(type->as_str())) return registry->build(cfg, {path, {}});
  }
  // Not found anywhere (or malformed): let the recognizer registry say why, with a suggestion.
  return RECOGNIZERS().build(cfg, {path, {}});
}

}  // namespace tubelet
