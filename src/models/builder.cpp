#include "tubelet/models/builder.h"

#include <c10/util/Exception.h>

#include <functional>

#include "tubelet/config/error.h"
#include "tubelet/models/backbone.h"
#include "tubelet/models/detector.h"
#include "tubelet/models/head.h"
#include "tubelet/models/localizer.h"
#include "tubelet/models/loss.h"
#include "tubelet/models/neck.h"
#include "tubelet/models/recognizers/base_recognizer.h"
#include "tubelet/models/registries.h"

namespace tubelet {

namespace {

// The config value a message's leading "model.backbone: ..." names, below `cfg` (which sits at
// `path`): the deepest dict on that dotted path, or `cfg` itself.
const Value& model_value_named_by(const Value& cfg, const std::string& path,
                                  const std::string& message) {
  const Value* at = &cfg;
  if (message.compare(0, path.size(), path) != 0) return *at;
  const size_t end = message.find_first_of(": ", path.size());
  std::string rest =
      message.substr(path.size(), end == std::string::npos ? end : end - path.size());
  while (rest.size() > 1 && rest[0] == '.' && at->is_dict()) {
    const size_t dot = rest.find('.', 1);
    const Value* next =
        at->as_dict().find(rest.substr(1, dot == std::string::npos ? dot : dot - 1));
    if (!next || !next->location().known()) break;
    at = next;
    rest = dot == std::string::npos ? "" : rest.substr(dot);
  }
  return *at;
}

// One of the registries build_model searches, building whatever it holds as a Module.
struct ModelRegistry {
  RegistryBase* registry;
  std::function<std::shared_ptr<torch::nn::Module>(const Value&, const BuildContext&)> build;
};

template <class Base>
ModelRegistry model_registry(Registry<Base>& registry) {
  return {&registry, [&registry](const Value& cfg, const BuildContext& context) {
            return std::shared_ptr<torch::nn::Module>(registry.build(cfg, context));
          }};
}

std::string model_registries_message(const std::string& type,
                                     const std::vector<ModelRegistry>& searched) {
  std::string names, suggestion;
  for (size_t i = 0; i < searched.size(); ++i) {
    const RegistryBase& registry = *searched[i].registry;
    names += (i == 0 ? "" : i + 1 == searched.size() ? " or " : ", ") + registry.name();
    const std::string one = registry.unknown_type_message(type);
    const size_t mean = one.find("; did you mean ");
    if (suggestion.empty() && mean != std::string::npos) suggestion = one.substr(mean);
  }
  return "'" + type + "' is not in the " + names + " registries (build_model looks a model's " +
         "type up in each)" + suggestion;
}

}  // namespace

std::shared_ptr<torch::nn::Module> build_model(const Value& cfg, const std::string& path) {
  const std::vector<ModelRegistry> order = {
      model_registry(RECOGNIZERS()), model_registry(LOCALIZERS()), model_registry(DETECTORS()),
      model_registry(BACKBONES()),   model_registry(NECKS()),      model_registry(HEADS()),
      model_registry(LOSSES())};
  const Value* type = cfg.is_dict() ? cfg.as_dict().find("type") : nullptr;
  // Not a dict, no type, not a str: let the recognizer registry say why.
  if (!type || !type->is_str()) return RECOGNIZERS().build(cfg, {path, {}});
  for (const ModelRegistry& registry : order) {
    if (!registry.registry->contains(type->as_str())) continue;
    // A module's own check may not know the file ("model.backbone: invalid depth 51"), nor does
    // LibTorch: such errors get the location of the config they name, or of the model's.
    try {
      return registry.build(cfg, {path, {}});
    } catch (const ConfigError& e) {
      // Args::error's messages already end "(model.cls_head in configs/x.py:3:12)".
      const Location& at = model_value_named_by(cfg, path, e.message()).location();
      if (e.where().known() || !at.known() || e.message().find(at.filename()) != std::string::npos)
        throw;
      throw ConfigError(e.message(), at);
    } catch (const c10::Error& e) {
      throw ConfigError(path + ": " + e.what_without_backtrace(), cfg.location());
    }
  }
  throw ConfigError(model_registries_message(type->as_str(), order), type->location());
}

}  // namespace tubelet
