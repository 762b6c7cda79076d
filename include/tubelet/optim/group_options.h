// Named access to a param group's options: PyTorch's `optimizer.param_groups[i]['lr']`.
//
// LibTorch keeps a group's hyperparameters in a typed options object (SGDOptions, ...);
// LR schedules, momentum schedules and configs name them as PyTorch does. This file maps
// PyTorch 1.13's names to those objects:
//
//   Dict d = group_options(group.options());      // {'lr': 0.1, 'momentum': 0, ...}
//   set_group_option(group.options(), "momentum", 0.95);
//
// Names come in the order PyTorch's defaults dict lists them. Values have the Python type
// PyTorch's default has: an option whose default is an int (SGD's momentum=0) reads as an int
// while its value is integral, as a float otherwise; so defaults read exactly as PyTorch shows
// them. Options LibTorch does not store (SGD's maximize, foreach, ...) read as PyTorch's
// default; setting such an option to another value is an error, except `foreach`, a speed hint
// that is accepted and has no effect.
#pragma once

#include <torch/optim/optimizer.h>

#include <functional>
#include <string>
#include <typeindex>
#include <utility>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/registry.h"

namespace tubelet {

// Every option of the group, in PyTorch's order. Throws std::invalid_argument for an options
// type nobody registered.
Dict group_options(const torch::optim::OptimizerOptions& options);
bool has_group_option(const torch::optim::OptimizerOptions& options, const std::string& name);
// Throws std::invalid_argument when there is no such option.
Value get_group_option(const torch::optim::OptimizerOptions& options, const std::string& name);
// Sets one option by PyTorch's name; throws std::invalid_argument naming the option and the
// optimizer when there is no such option or the value cannot be converted. Values are not
// range-checked (PyTorch does not check assignments to a param group either).
void set_group_option(torch::optim::OptimizerOptions& options, const std::string& name,
                      const Value& value);

// How to see one options type by name. `set` receives only names `get` lists.
struct GroupOptionsAccess {
  std::function<Dict(const torch::optim::OptimizerOptions&)> get;
  std::function<void(torch::optim::OptimizerOptions&, const std::string&, const Value&)> set;
};
// Registers (or replaces) the access for one options type; the optimizer's name in messages
// is the type's name less "Options" (tubelet::NAdamOptions -> NAdam).
void register_group_options(std::type_index options_type, GroupOptionsAccess access);

// The optimizer name used in messages for an options type ("SGD" for SGDOptions).
std::string optimizer_name_of(const torch::optim::OptimizerOptions& options);

// Describing an options type field by field, the usual way to build a GroupOptionsAccess:
//
//   register_group_options<AdadeltaOptions>(
//       GroupOptionFields<AdadeltaOptions>()
//           .real(TUBELET_GROUP_OPTION(lr))
//           .number(TUBELET_GROUP_OPTION(rho))        // stored double, PyTorch default int
//           .fixed("foreach", Value()));
//
// TUBELET_GROUP_OPTION(x) expands to the name and an accessor of the TORCH_ARG `x`.
#define TUBELET_GROUP_OPTION(field)    \
#field, [](auto& options) -> auto& { \
    return options.field();            \
  }

namespace detail {
// Conversions with messages; each throws std::invalid_argument naming `what`.
double group_option_float(const Value& v, const std::string& what);
int64_t group_option_int(const Value& v, const std::string& what);
bool group_option_bool(const Value& v, const std::string& what);
std::pair<double, double> group_option_pair(const Value& v, const std::string& what);
// A double shown with the Python type of PyTorch's default: int while integral if `as_int`.
Value group_option_number(double x, bool as_int);
}  // namespace detail

template <class Options>
class GroupOptionFields {
 public:
  using Getter = std::function<Value(const Options&)>;
  using Setter = std::function<void(Options&, const Value&)>;  // throws std::invalid_argument

  // Any option: how to read it as a Value and how to set it from one.
  GroupOptionFields& field(std::string name, Getter get, Setter set) {
    fields_.push_back({std::move(name), std::move(get), std::move(set)});
    return *this;
  }
  // A double whose PyTorch default is a float (lr, eps, ...).
  template <class Ref>
  GroupOptionFields& real(std::string name, Ref ref) {
    return number_field(std::move(name), ref, false);
  }
  // A double whose PyTorch default is an int (momentum=0, weight_decay=0, ...).
  template <class Ref>
  GroupOptionFields& number(std::string name, Ref ref) {
    return number_field(std::move(name), ref, true);
  }
  template <class Ref>
  GroupOptionFields& integer(std::string name, Ref ref) {
    std::string what = name;
    return field(
        std::move(name), [ref](const Options& o) { return Value(ref(o)); },
        [ref, what](Options& o, const Value& v) { ref(o) = detail::group_option_int(v, what); });
  }
  template <class Ref>
  GroupOptionFields& boolean(std::string name, Ref ref) {
    std::string what = name;
    return field(
        std::move(name), [ref](const Options& o) { return Value(ref(o)); },
        [ref, what](Options& o, const Value& v) { ref(o) = detail::group_option_bool(v, what); });
  }
  // A std::tuple<double, double> (betas, etas); `as_int` per element as for number().
  template <class Ref>
  GroupOptionFields& pair(std::string name, Ref ref, bool first_as_int = false,
                          bool second_as_int = false) {
    std::string what = name;
    return field(
        std::move(name),
        [ref, first_as_int, second_as_int](const Options& o) {
          const auto& t = ref(o);
          return Value::tuple({detail::group_option_number(std::get<0>(t), first_as_int),
                               detail::group_option_number(std::get<1>(t), second_as_int)});
        },
        [ref, what](Options& o, const Value& v) {
          auto p = detail::group_option_pair(v, what);
          ref(o) = std::make_tuple(p.first, p.second);
        });
  }
  // An option this options type does not store: reads as `value`; setting it to anything but
  // an equal value is an error (`accepted` allows other values that have no effect).
  GroupOptionFields& fixed(std::string name, Value value, std::vector<Value> accepted = {});

  // The GroupOptionsAccess for these fields.
  GroupOptionsAccess access() const;

 private:
  struct Field {
    std::string name;
    Getter get;
    Setter set;
  };

  template <class Ref>
  GroupOptionFields& number_field(std::string name, Ref ref, bool as_int) {
    std::string what = name;
    return field(
        std::move(name),
        [ref, as_int](const Options& o) { return detail::group_option_number(ref(o), as_int); },
        [ref, what](Options& o, const Value& v) { ref(o) = detail::group_option_float(v, what); });
  }

  std::vector<Field> fields_;
};

template <class Options>
GroupOptionFields<Options>& GroupOptionFields<Options>::fixed(std::string name, Value value,
                                                              std::vector<Value> accepted) {
  std::string what = name;
  accepted.push_back(value);
  return field(
      std::move(name), [value](const Options&) { return value; },
      [what, accepted](Options&, const Value& v) {
        for (const Value& a : accepted)
          if (a == v && a.type() == v.type()) return;
        throw std::invalid_argument("'" + what + "=" + repr(v) + "' is not supported");
      });
}

template <class Options>
GroupOptionsAccess GroupOptionFields<Options>::access() const {
  auto fields = fields_;
  GroupOptionsAccess a;
  a.get = [fields](const torch::optim::OptimizerOptions& options) {
    const auto& o = static_cast<const Options&>(options);
    Dict d;
    for (const Field& f : fields) d.set(f.name, f.get(o));
    return d;
  };
  a.set = [fields](torch::optim::OptimizerOptions& options, const std::string& name,
                   const Value& v) {
    for (const Field& f : fields)
      if (f.name == name) return f.set(static_cast<Options&>(options), v);
    throw std::invalid_argument("no option '" + name + "'");
  };
  return a;
}

template <class Options>
void register_group_options(const GroupOptionFields<Options>& fields) {
  register_group_options(std::type_index(typeid(Options)), fields.access());
}

// One line in an optimizer's .cpp, next to its TUBELET_REGISTER:
//   TUBELET_REGISTER_GROUP_OPTIONS(AdadeltaOptions,
//   GroupOptionFields<AdadeltaOptions>().real(...));
#define TUBELET_REGISTER_GROUP_OPTIONS(OPTIONS, ...)                      \
  static const bool TUBELET_CONCAT(tubelet_group_options_, __COUNTER__) = \
      ::tubelet::detail::register_at_load(                                \
          [] { ::tubelet::register_group_options<OPTIONS>(__VA_ARGS__); })

}  // namespace tubelet
