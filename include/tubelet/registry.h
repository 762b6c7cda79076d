// Registries: every module a config can name, by its `type`.
//
//   // in resnet.cpp, the one line that makes `dict(type='ResNet', ...)` work:
//   TUBELET_REGISTER(BACKBONES, ResNet, ResNetImpl::from_config);
//
// A creator reads its arguments from an Args and returns the built object; the registry
// then fails on any argument it did not read. Registries are named as in MMAction2/mmcv.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/config/value.h"

namespace tubelet {

// What every registry offers without knowing what it builds: for `list-modules`, the
// registry-of-registries, and error messages.
class RegistryBase {
 public:
  explicit RegistryBase(std::string name);
  virtual ~RegistryBase();
  RegistryBase(const RegistryBase&) = delete;
  RegistryBase& operator=(const RegistryBase&) = delete;

  const std::string& name() const { return name_; }
  virtual std::vector<std::string> names() const = 0;
  virtual bool contains(std::string_view type) const = 0;

  // "'ResNt' is not in the BACKBONES registry; did you mean 'ResNet'?"
  std::string unknown_type_message(std::string_view type) const;

 private:
  std::string name_;
};

// Every registry that exists, in the order they were created.
std::vector<RegistryBase*> all_registries();
RegistryBase* find_registry(std::string_view name);

// Where a module's config sits, for error messages, and what mmcv calls `default_args`
// (values used where the config does not give the key).
struct BuildContext {
  BuildContext(std::string path_ = "", Dict default_args_ = {})
      : path(std::move(path_)), default_args(std::move(default_args_)) {}
  std::string path;  // "model.backbone"
  Dict default_args;
};

namespace detail {
// Splits a module config into its `type` and its arguments (default_args filled in).
std::pair<std::string, Args> split_module_config(const Value& cfg, const BuildContext& context,
                                                 const std::string& registry);
// Runs a registration from a static initializer. An error there cannot be thrown (it would
// abort the program or the plugin load), so it is kept and reported by
// throw_pending_registration_errors(), which the plugin loader and the command call.
bool register_at_load(const std::function<void()>& registration);
}  // namespace detail

// What a registration is checked against when it compiles: the class its creator returns must
// derive from the registry's base class. TUBELET_REGISTRY_BASE gives a base class a message
// that names it; other registries get this one.
template <class Base>
struct RegistrationCheck {
  template <class T>
  static constexpr bool check() {
    static_assert(std::is_base_of_v<Base, T>,
                  "TUBELET_REGISTER: the creator's class does not derive from the base class of "
                  "the registry it is registered in (the note 'required from' names both)");
    return true;
  }
};

namespace detail {
template <class T>
struct SharedPointee {
  static_assert(sizeof(T) == 0,
                "TUBELET_REGISTER: the creator must return a std::shared_ptr to the new object");
};
template <class T>
struct SharedPointee<std::shared_ptr<T>> {
  using type = T;
};
}  // namespace detail

// Builds objects derived from Base; creators take an Args plus `Extra...` run-time inputs
// that are not config (an optimizer's parameters, for example).
template <class Base, class... Extra>
class Registry : public RegistryBase {
 public:
  using Ptr = std::shared_ptr<Base>;
  using Creator = std::function<Ptr(Args&, Extra...)>;

  explicit Registry(std::string name) : RegistryBase(std::move(name)) {}

  // Registers `type`, built by `creator(Args&, Extra...)`, which returns a std::shared_ptr to
  // a class derived from Base (checked at compile time). Registering a name twice is an error
  // unless `force` is set (TUBELET_REGISTER_FORCE).
  template <class F>
  void add(const std::string& type, F creator, bool force = false) {
    using Result = std::decay_t<std::invoke_result_t<F&, Args&, Extra...>>;
    static_assert(
        RegistrationCheck<Base>::template check<typename detail::SharedPointee<Result>::type>());
    add_creator(type, Creator(std::move(creator)), force);
  }

  std::vector<std::string> names() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& item : creators_) out.push_back(item.first);
    return out;
  }

  bool contains(std::string_view type) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return creators_.count(std::string(type)) > 0;
  }

  // Builds from a config dict holding `type`; every other key goes to the module.
  Ptr build(const Value& cfg, const BuildContext& context, Extra... extra) const {
    auto [type, args] = detail::split_module_config(cfg, context, name());
    Creator creator = find_creator(type, cfg);
    Ptr object = creator(args, std::forward<Extra>(extra)...);
    args.finish();
    return object;
  }

 private:
  Creator find_creator(const std::string& type, const Value& cfg) const {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = creators_.find(type);
      if (it != creators_.end()) return it->second;
    }
    // Outside the lock: the message lists names(), which locks too.
    throw ConfigError(unknown_type_message(type), cfg.location());
  }

  void add_creator(const std::string& type, Creator creator, bool force) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!force && creators_.count(type))
      throw ConfigError("'" + type + "' is already registered in " + name() +
                        " (register with force=true to replace it)");
    creators_[type] = std::move(creator);
  }

  mutable std::mutex mutex_;
  std::map<std::string, Creator> creators_;
};

// Throws, once, the errors of registrations made while a library loaded (TUBELET_REGISTER).
void throw_pending_registration_errors();

}  // namespace tubelet

#define TUBELET_CONCAT_INNER(a, b) a##b
#define TUBELET_CONCAT(a, b) TUBELET_CONCAT_INNER(a, b)

// Defines a named registry function once, in a .cpp: `TYPE& NAME()` returning a function-local
// static, so that registrations running before other globals still find it.
#define TUBELET_DEFINE_REGISTRY(TYPE, NAME) \
  TYPE& NAME() {                            \
    static TYPE registry(#NAME);            \
    return registry;                        \
  }

// One line in a module's .cpp: TUBELET_REGISTER(BACKBONES, ResNet, ResNetImpl::from_config);
#define TUBELET_REGISTER(REGISTRY, TYPE, CREATOR)                      \
  static const bool TUBELET_CONCAT(tubelet_registered_, __COUNTER__) = \
      ::tubelet::detail::register_at_load([] { ::tubelet::REGISTRY().add(#TYPE, CREATOR); })

// The same, replacing a module of that name if one exists (mmcv's force=True).
#define TUBELET_REGISTER_FORCE(REGISTRY, TYPE, CREATOR)                \
  static const bool TUBELET_CONCAT(tubelet_registered_, __COUNTER__) = \
      ::tubelet::detail::register_at_load([] { ::tubelet::REGISTRY().add(#TYPE, CREATOR, true); })

// Names a registry's base class in the compile error of a wrong registration. Used once per
// base class, in namespace tubelet, next to the registry's declaration:
//   TUBELET_REGISTRY_BASE(Backbone, "tubelet/models/backbone.h");
#define TUBELET_REGISTRY_BASE(BASE, HEADER)                        \
  template <>                                                      \
  struct RegistrationCheck<BASE> {                                 \
    template <class T>                                             \
    static constexpr bool check() {                                \
      static_assert(std::is_base_of_v<BASE, T>,                    \
                    "TUBELET_REGISTER: this registry builds "      \
                    "tubelet::" #BASE                              \
                    "; derive the registered "                     \
                    "class from tubelet::" #BASE " (" HEADER ")"); \
      return true;                                                 \
    }                                                              \
  }
