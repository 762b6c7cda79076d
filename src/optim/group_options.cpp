// PyTorch's param-group names for LibTorch's options types, and the table that other
// optimizers (ours, plugins') add to.
#include "tubelet/optim/group_options.h"

#include <cxxabi.h>
#include <torch/optim.h>

#include <cmath>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace tubelet {

namespace detail {

double group_option_float(const Value& v, const std::string& what) {
  if (!v.is_number())
    throw std::invalid_argument("'" + what + "' must be a number, not '" + v.type_name() + "'");
  return v.as_float();
}

int64_t group_option_int(const Value& v, const std::string& what) {
  if (!v.is_int() && !v.is_bool())
    throw std::invalid_argument("'" + what + "' must be an int, not '" + v.type_name() + "'");
  return v.as_int();
}

bool group_option_bool(const Value& v, const std::string& what) {
  if (!v.is_bool())
    throw std::invalid_argument("'" + what + "' must be a bool, not '" + v.type_name() + "'");
  return v.as_bool();
}

std::pair<double, double> group_option_pair(const Value& v, const std::string& what) {
  if (!v.is_sequence() || v.as_list().size() != 2)
    throw std::invalid_argument("'" + what + "' must be a pair of numbers, not " + repr(v));
  return {group_option_float(v.as_list()[0], what), group_option_float(v.as_list()[1], what)};
}

Value group_option_number(double x, bool as_int) {
  if (as_int && std::isfinite(x) && x == std::trunc(x) && std::fabs(x) < 9.0e15)
    return Value(static_cast<int64_t>(x));
  return Value(x);
}

}  // namespace detail

namespace {

using namespace torch::optim;

// foreach picks PyTorch's multi-tensor kernels: no effect on the result, so any value goes.
// (No namespace-scope constants here: other libraries' static initializers reach table().)
template <class Options>
GroupOptionFields<Options>& with_foreach(GroupOptionFields<Options>& f) {
  return f.fixed("foreach", Value(), {Value(true), Value(false)});
}

GroupOptionsAccess sgd() {
  GroupOptionFields<SGDOptions> f;
  f.real(TUBELET_GROUP_OPTION(lr))
      .number(TUBELET_GROUP_OPTION(momentum))
      .number(TUBELET_GROUP_OPTION(dampening))
      .number(TUBELET_GROUP_OPTION(weight_decay))
      .boolean(TUBELET_GROUP_OPTION(nesterov))
      .fixed("maximize", false);
  return with_foreach(f).fixed("differentiable", false).access();
}

template <class Options>
GroupOptionFields<Options> adam_head(bool weight_decay_as_int) {
  GroupOptionFields<Options> f;
  f.real(TUBELET_GROUP_OPTION(lr))
      .pair(TUBELET_GROUP_OPTION(betas))
      .real(TUBELET_GROUP_OPTION(eps));
  if (weight_decay_as_int)
    f.number(TUBELET_GROUP_OPTION(weight_decay));
  else
    f.real(TUBELET_GROUP_OPTION(weight_decay));
  f.boolean(TUBELET_GROUP_OPTION(amsgrad));
  return f;
}

GroupOptionsAccess adam() {
  auto f = adam_head<AdamOptions>(true);
  f.fixed("maximize", false);
  return with_foreach(f)
      .fixed("capturable", false)
      .fixed("differentiable", false)
      .fixed("fused", false)
      .access();
}

GroupOptionsAccess adamw() {
  auto f = adam_head<AdamWOptions>(false);
  return with_foreach(f).fixed("maximize", false).fixed("capturable", false).access();
}

GroupOptionsAccess adagrad() {
  GroupOptionFields<AdagradOptions> f;
  f.real(TUBELET_GROUP_OPTION(lr))
      .number(TUBELET_GROUP_OPTION(lr_decay))
      .real(TUBELET_GROUP_OPTION(eps))
      .number(TUBELET_GROUP_OPTION(weight_decay))
      .number(TUBELET_GROUP_OPTION(initial_accumulator_value));
  return with_foreach(f).fixed("maximize", false).access();
}

GroupOptionsAccess rmsprop() {
  GroupOptionFields<RMSpropOptions> f;
  f.real(TUBELET_GROUP_OPTION(lr))
      .number(TUBELET_GROUP_OPTION(momentum))
      .real(TUBELET_GROUP_OPTION(alpha))
      .real(TUBELET_GROUP_OPTION(eps))
      .boolean(TUBELET_GROUP_OPTION(centered))
      .number(TUBELET_GROUP_OPTION(weight_decay));
  return with_foreach(f).fixed("maximize", false).fixed("differentiable", false).access();
}

GroupOptionsAccess lbfgs() {
  GroupOptionFields<LBFGSOptions> f;
  f.number(TUBELET_GROUP_OPTION(lr))  // PyTorch's default is the int 1
      .integer(TUBELET_GROUP_OPTION(max_iter))
      .field(
          "max_eval",
          [](const LBFGSOptions& o) { return o.max_eval() ? Value(*o.max_eval()) : Value(); },
          [](LBFGSOptions& o, const Value& v) {
            if (v.is_none())
              o.max_eval(c10::nullopt);
            else
              o.max_eval(detail::group_option_int(v, "max_eval"));
          })
      .real(TUBELET_GROUP_OPTION(tolerance_grad))
      .real(TUBELET_GROUP_OPTION(tolerance_change))
      .integer(TUBELET_GROUP_OPTION(history_size))
      .field(
          "line_search_fn",
          [](const LBFGSOptions& o) {
            return o.line_search_fn() ? Value(*o.line_search_fn()) : Value();
          },
          [](LBFGSOptions& o, const Value& v) {
            if (v.is_none()) {
              o.line_search_fn(c10::nullopt);
              return;
            }
            if (!v.is_str() || v.as_str() != "strong_wolfe")
              throw std::invalid_argument("'line_search_fn' must be None or 'strong_wolfe', not " +
                                          repr(v));
            o.line_search_fn(v.as_str());
          });
  return f.access();
}

struct Table {
  std::mutex mutex;
  std::unordered_map<std::type_index, GroupOptionsAccess> access;
};

Table& table() {
  static Table* t = [] {
    auto* t = new Table;  // never destroyed: plugins may register during static teardown
    t->access[typeid(SGDOptions)] = sgd();
    t->access[typeid(AdamOptions)] = adam();
    t->access[typeid(AdamWOptions)] = adamw();
    t->access[typeid(AdagradOptions)] = adagrad();
    t->access[typeid(RMSpropOptions)] = rmsprop();
    t->access[typeid(LBFGSOptions)] = lbfgs();
    return t;
  }();
  return *t;
}

std::string type_name(const std::type_info& type) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
  std::string name = status == 0 && demangled ? demangled : type.name();
  std::free(demangled);
  return name;
}

GroupOptionsAccess access_of(const torch::optim::OptimizerOptions& options) {
  Table& t = table();
  std::lock_guard<std::mutex> lock(t.mutex);
  auto it = t.access.find(typeid(options));
  if (it == t.access.end())
    throw std::invalid_argument("no param group option names are registered for '" +
                                type_name(typeid(options)) +
                                "' (see register_group_options in tubelet/optim/group_options.h)");
  return it->second;
}

std::string names_of(const Dict& d) {
  std::string out;
  for (const auto& item : d) out += (out.empty() ? "" : ", ") + item.first.as_str();
  return out;
}

}  // namespace

std::string optimizer_name_of(const torch::optim::OptimizerOptions& options) {
  std::string name = type_name(typeid(options));
  auto colon = name.rfind("::");
  if (colon != std::string::npos) name = name.substr(colon + 2);
  const std::string suffix = "Options";
  if (name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    name.resize(name.size() - suffix.size());
  return name;
}

void register_group_options(std::type_index options_type, GroupOptionsAccess access) {
  if (!access.get || !access.set)
    throw std::invalid_argument("register_group_options: both get and set are required");
  Table& t = table();
  std::lock_guard<std::mutex> lock(t.mutex);
  t.access[options_type] = std::move(access);
}

Dict group_options(const torch::optim::OptimizerOptions& options) {
  return access_of(options).get(options);
}

bool has_group_option(const torch::optim::OptimizerOptions& options, const std::string& name) {
  return group_options(options).contains(name);
}

Value get_group_option(const torch::optim::OptimizerOptions& options, const std::string& name) {
  Dict d = group_options(options);
  if (const Value* v = d.find(name)) return *v;
  throw std::invalid_argument(optimizer_name_of(options) + " has no param group option '" + name +
                              "' (it has " + names_of(d) + ")");
}

void set_group_option(torch::optim::OptimizerOptions& options, const std::string& name,
                      const Value& value) {
  GroupOptionsAccess access = access_of(options);
  Dict d = access.get(options);
  const std::string where = optimizer_name_of(options);
  if (!d.contains(name))
    throw std::invalid_argument(where + " has no param group option '" + name + "' (it has " +
                                names_of(d) + ")");
  try {
    access.set(options, name, value);
  } catch (const std::exception& e) {
    throw std::invalid_argument(where + " param group option '" + name + "' cannot be set to " +
                                repr(value) + ": " + e.what());
  }
}

}  // namespace tubelet
