// Param-group options by PyTorch's names: names, order and Python types as PyTorch 1.13's
// `optimizer.param_groups[0]` shows them (repr below copied from Python), setting, errors.
#include "tubelet/optim/group_options.h"

#include <gtest/gtest.h>

#include <torch/torch.h>

namespace tubelet::group_options_test {
namespace {

using namespace torch::optim;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

TEST(GroupOptions, LibTorchDefaultsReadAsPytorchsParamGroups) {
  // repr({k: v for k, v in torch.optim.X([p], **kw).param_groups[0].items() if k != 'params'})
  EXPECT_EQ(repr(Value(group_options(SGDOptions(0.1)))),
            "{'lr': 0.1, 'momentum': 0, 'dampening': 0, 'weight_decay': 0, 'nesterov': False, "
            "'maximize': False, 'foreach': None, 'differentiable': False}");
  EXPECT_EQ(repr(Value(group_options(AdamOptions()))),
            "{'lr': 0.001, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0, "
            "'amsgrad': False, 'maximize': False, 'foreach': None, 'capturable': False, "
            "'differentiable': False, 'fused': False}");
  EXPECT_EQ(repr(Value(group_options(AdamWOptions()))),
            "{'lr': 0.001, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0.01, "
            "'amsgrad': False, 'foreach': None, 'maximize': False, 'capturable': False}");
  EXPECT_EQ(repr(Value(group_options(AdagradOptions()))),
            "{'lr': 0.01, 'lr_decay': 0, 'eps': 1e-10, 'weight_decay': 0, "
            "'initial_accumulator_value': 0, 'foreach': None, 'maximize': False}");
  EXPECT_EQ(repr(Value(group_options(RMSpropOptions()))),
            "{'lr': 0.01, 'momentum': 0, 'alpha': 0.99, 'eps': 1e-08, 'centered': False, "
            "'weight_decay': 0, 'foreach': None, 'maximize': False, 'differentiable': False}");
  EXPECT_EQ(repr(Value(group_options(LBFGSOptions().max_eval(25)))),
            "{'lr': 1, 'max_iter': 20, 'max_eval': 25, 'tolerance_grad': 1e-07, "
            "'tolerance_change': 1e-09, 'history_size': 100, 'line_search_fn': None}");
}

TEST(GroupOptions, SetWritesTheLibTorchField) {
  SGDOptions sgd(0.1);
  set_group_option(sgd, "momentum", 0.9);
  set_group_option(sgd, "lr", 1);  // an int is a number, as in Python
  set_group_option(sgd, "nesterov", true);
  set_group_option(sgd, "foreach", true);  // a speed hint: accepted, no effect
  EXPECT_EQ(sgd.momentum(), 0.9);
  EXPECT_EQ(sgd.lr(), 1.0);
  EXPECT_TRUE(sgd.nesterov());
  EXPECT_EQ(repr(get_group_option(sgd, "momentum")), "0.9");
  EXPECT_EQ(repr(get_group_option(sgd, "lr")), "1.0");
  EXPECT_TRUE(has_group_option(sgd, "dampening"));
  EXPECT_FALSE(has_group_option(sgd, "betas"));

  AdamOptions adam;
  set_group_option(adam, "betas", Value::tuple({0.5, 0.6}));
  EXPECT_EQ(std::get<0>(adam.betas()), 0.5);
  EXPECT_EQ(std::get<1>(adam.betas()), 0.6);
  // Through the base class, as a hook sees a group's options.
  OptimizerOptions& base = adam;
  set_group_option(base, "weight_decay", 0.25);
  EXPECT_EQ(adam.weight_decay(), 0.25);

  LBFGSOptions lbfgs;
  set_group_option(lbfgs, "line_search_fn", "strong_wolfe");
  set_group_option(lbfgs, "max_eval", Value());
  EXPECT_EQ(repr(get_group_option(lbfgs, "line_search_fn")), "'strong_wolfe'");
  EXPECT_EQ(repr(get_group_option(lbfgs, "max_eval")), "None");
}

TEST(GroupOptions, ErrorsNameTheOptionAndTheOptimizer) {
  SGDOptions sgd(0.1);
  EXPECT_EQ(error_of([&] { set_group_option(sgd, "momentom", 0.9); }),
            "SGD has no param group option 'momentom' (it has lr, momentum, dampening, "
            "weight_decay, nesterov, maximize, foreach, differentiable)");
  EXPECT_EQ(error_of([&] { get_group_option(sgd, "betas"); })
                .rfind("SGD has no param group "
                       "option 'betas'",
                       0),
            0u);
  EXPECT_EQ(error_of([&] { set_group_option(sgd, "lr", "0.1"); }),
            "SGD param group option 'lr' cannot be set to '0.1': 'lr' must be a number, not "
            "'str'");
  EXPECT_EQ(error_of([&] { set_group_option(sgd, "maximize", true); }),
            "SGD param group option 'maximize' cannot be set to True: 'maximize=True' is not "
            "supported");
  AdamOptions adam;
  EXPECT_NE(error_of([&] {
              set_group_option(adam, "betas", Value::tuple({0.9}));
            }).find("Adam param group option 'betas' cannot be set to (0.9,)"),
            std::string::npos);
  LBFGSOptions lbfgs;
  EXPECT_NE(error_of([&] {
              set_group_option(lbfgs, "max_iter", 2.5);
            }).find("'max_iter' must be an int, not 'float'"),
            std::string::npos);
}

struct UnknownOptions : OptimizerCloneableOptions<UnknownOptions> {
  double get_lr() const override { return lr; }
  void set_lr(const double v) override { lr = v; }
  double lr = 0.5;
};

TEST(GroupOptions, UnregisteredTypesAreAClearErrorAndCanBeRegistered) {
  UnknownOptions options;
  EXPECT_NE(error_of([&] { group_options(options); })
                .find("no param group option names are registered for "
                      "'tubelet::group_options_test::(anonymous namespace)::UnknownOptions'"),
            std::string::npos);
  GroupOptionsAccess access;
  access.get = [](const OptimizerOptions& o) {
    Dict d;
    d.set("lr", static_cast<const UnknownOptions&>(o).lr);
    return d;
  };
  access.set = [](OptimizerOptions& o, const std::string&, const Value& v) {
    static_cast<UnknownOptions&>(o).lr = v.as_float();
  };
  register_group_options(typeid(UnknownOptions), access);
  set_group_option(options, "lr", 0.25);
  EXPECT_EQ(options.lr, 0.25);
  EXPECT_EQ(repr(Value(group_options(options))), "{'lr': 0.25}");
  EXPECT_EQ(optimizer_name_of(options), "Unknown");
  // Errors thrown by a plugin's setter (here ConfigError) still come back as invalid_argument.
  EXPECT_NE(error_of([&] {
              set_group_option(options, "lr", "x");
            }).find("Unknown param group option 'lr' cannot be set to 'x'"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::group_options_test
