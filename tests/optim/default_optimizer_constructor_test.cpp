// DefaultOptimizerConstructor as a base class and with optimizers it does not know: a
// subclass's own paramwise_cfg keys, typos with a did-you-mean, mmcv's rule that add_params
// runs only with a paramwise_cfg, and errors that name the setting an optimizer cannot take.
#include <gtest/gtest.h>

#include <torch/nn/modules/linear.h>

#include "tubelet/config/config.h"
#include "tubelet/config/error.h"
#include "tubelet/optim/default_optimizer_constructor.h"

namespace tubelet::default_optimizer_constructor_test {
namespace {

const char* const kFile = "/tmp/default_optimizer_constructor_test.py";

Value py(const std::string& expr) {
  return load_config_text("x = " + expr + "\n", kFile).at("x");
}

// Parameters named as in a recognizer: backbone.fc.{weight,bias}, cls_head.fc.{weight,bias}.
struct TinyModel : torch::nn::Module {
  TinyModel() {
    backbone = register_module("backbone", std::make_shared<torch::nn::Module>());
    backbone->register_module("fc", torch::nn::Linear(2, 3));
    cls_head = register_module("cls_head", std::make_shared<torch::nn::Module>());
    cls_head->register_module("fc", torch::nn::Linear(3, 2));
  }
  std::shared_ptr<torch::nn::Module> backbone, cls_head;
};

// The tutorial's pattern: mmcv's rules, then the head's lr times paramwise_cfg.head_lr_mult.
class HeadLrConstructor : public DefaultOptimizerConstructor {
 public:
  HeadLrConstructor(Value optimizer_cfg, Dict paramwise_cfg)
      : DefaultOptimizerConstructor(std::move(optimizer_cfg), std::move(paramwise_cfg), "optimizer",
                                    {"head_lr_mult"}) {}
  mutable int add_params_calls = 0;

 protected:
  void add_params(std::vector<ParamGroupSpec>& groups,
                  const torch::nn::Module& model) const override {
    ++add_params_calls;
    DefaultOptimizerConstructor::add_params(groups, model);
    const Value* mult = paramwise_cfg_.find("head_lr_mult");
    for (ParamGroupSpec& group : groups)
      if (mult && group.names.front().rfind("cls_head.", 0) == 0) {
        const Value* lr = group.options.find("lr");
        group.options.set("lr", python_multiply(lr ? *lr : *base_lr_, *mult));
      }
  }
};

// Sets an option Adam does not have.
class MomentumConstructor : public DefaultOptimizerConstructor {
 public:
  MomentumConstructor(Value optimizer_cfg, Dict paramwise_cfg)
      : DefaultOptimizerConstructor(std::move(optimizer_cfg), std::move(paramwise_cfg), "optimizer",
                                    {"momentum"}) {}

 protected:
  void add_params(std::vector<ParamGroupSpec>& groups,
                  const torch::nn::Module& model) const override {
    DefaultOptimizerConstructor::add_params(groups, model);
    for (ParamGroupSpec& group : groups)
      group.options.set("momentum", paramwise_cfg_.at("momentum"));
  }
};

std::string config_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no ConfigError)";
}

double lr_of(const ParamGroupSpec& group, double base) {
  const Value* lr = group.options.find("lr");
  return lr ? lr->as_float() : base;
}

TEST(DefaultOptimizerConstructorSubclass, ReadsItsOwnKeysBesideMmcvs) {
  TinyModel model;
  Value cfg = py("dict(type='SGD', lr=0.1, paramwise_cfg=dict(head_lr_mult=10, bias_lr_mult=2))");
  HeadLrConstructor constructor(py("dict(type='SGD', lr=0.1)"),
                                cfg.as_dict().at("paramwise_cfg").as_dict());
  auto groups = constructor.param_groups(model);
  ASSERT_EQ(groups.size(), 4u);
  std::map<std::string, double> lr;
  for (const auto& g : groups) lr[g.names.front()] = lr_of(g, 0.1);
  EXPECT_DOUBLE_EQ(lr["backbone.fc.weight"], 0.1);
  EXPECT_DOUBLE_EQ(lr["backbone.fc.bias"], 0.2);  // bias_lr_mult
  EXPECT_DOUBLE_EQ(lr["cls_head.fc.weight"], 1.0);
  EXPECT_DOUBLE_EQ(lr["cls_head.fc.bias"], 2.0);  // both
  auto optimizer = constructor.build(model);
  EXPECT_DOUBLE_EQ(optimizer->param_groups()[3].options().get_lr(), 2.0);
}

TEST(DefaultOptimizerConstructorSubclass, TypoInItsOwnKeyIsAnErrorWithASuggestion) {
  Value cfg = py("dict(head_lr_mul=10)");
  std::string error =
      config_error([&] { HeadLrConstructor(py("dict(type='SGD', lr=0.1)"), cfg.as_dict()); });
  EXPECT_NE(error.find("optimizer.paramwise_cfg: unknown option 'head_lr_mul'; did you mean "
                       "'head_lr_mult'?"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find(kFile), std::string::npos) << error;
}

TEST(DefaultOptimizerConstructorKeys, TypoIsAnErrorWithASuggestion) {
  std::string error = config_error([] {
    build_optimizer_constructor(py("dict(type='SGD', lr=0.1, paramwise_cfg=dict(bias_lr_mul=2))"),
                                "optimizer");
  });
  EXPECT_NE(error.find("optimizer.paramwise_cfg: unknown option 'bias_lr_mul'; did you mean "
                       "'bias_lr_mult'?"),
            std::string::npos)
      << error;
}

TEST(DefaultOptimizerConstructorKeys, ASubclassKeyIsUnknownToTheDefaultConstructor) {
  // The default constructor itself does not read head_lr_mult: still an error, listing the
  // keys it knows and how a subclass adds its own.
  std::string error = config_error([] {
    build_optimizer_constructor(py("dict(type='SGD', lr=0.1, paramwise_cfg=dict(head_lr_mult=2))"),
                                "optimizer");
  });
  EXPECT_NE(error.find("unknown option 'head_lr_mult'; did you mean 'bias_lr_mult'? (known: "
                       "custom_keys, bias_lr_mult"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("passes the keys it reads itself"), std::string::npos) << error;
}

TEST(DefaultOptimizerConstructorSubclass, AddParamsRunsOnlyWithAParamwiseCfg) {
  TinyModel model;
  HeadLrConstructor without(py("dict(type='SGD', lr=0.1)"), Dict{});
  auto groups = without.param_groups(model);
  EXPECT_EQ(without.add_params_calls, 0);  // mmcv's __call__: one group, no add_params
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].params.size(), 4u);
  EXPECT_TRUE(groups[0].options.empty());

  HeadLrConstructor with(py("dict(type='SGD', lr=0.1)"), py("dict(head_lr_mult=1)").as_dict());
  EXPECT_EQ(with.param_groups(model).size(), 4u);
  EXPECT_EQ(with.add_params_calls, 1);
}

TEST(DefaultOptimizerConstructorKeys, ACustomConstructorWithoutParamwiseCfgIsReported) {
  TinyModel model;
  ::testing::internal::CaptureStderr();
  auto constructor = build_optimizer_constructor(
      py("dict(type='SGD', lr=0.1, constructor='TSMOptimizerConstructor')"), "optimizer");
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("optimizer: constructor 'TSMOptimizerConstructor' without a paramwise_cfg"),
            std::string::npos)
      << err;
  EXPECT_EQ(constructor->param_groups(model).size(), 1u);

  ::testing::internal::CaptureStderr();
  build_optimizer_constructor(py("dict(type='SGD', lr=0.1)"), "optimizer");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(DefaultOptimizerConstructorLr, BiasLrMultOfAnOptimizerWithoutLrNamesTheSetting) {
  // The tutorial's MyOptimizer(a, b, c) has no lr: mmcv would multiply None.
  std::string error = config_error([] {
    build_optimizer_constructor(py("dict(type='MyOptimizer', a=0.01, b=0.9, c=0.0,\n"
                                   "     paramwise_cfg=dict(bias_lr_mult=2.0))"),
                                "optimizer");
  });
  EXPECT_NE(error.find("optimizer.paramwise_cfg.bias_lr_mult: scales the optimizer's lr, but the "
                       "config of MyOptimizer has no lr"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find(std::string(kFile) + ":2:"), std::string::npos) << error;
}

TEST(DefaultOptimizerConstructorLr, DefaultBiasRuleOfAnOptimizerWithoutLrNamesTheSetting) {
  TinyModel model;
  auto constructor = build_optimizer_constructor(
      py("dict(type='MyOptimizer', a=0.01, paramwise_cfg=dict(bypass_duplicate=True))"),
      "optimizer");
  std::string error = config_error([&] { constructor->param_groups(model); });
  EXPECT_NE(error.find("optimizer.paramwise_cfg.bias_lr_mult (default 1, for every bias): scales "
                       "the optimizer's lr"),
            std::string::npos)
      << error;
}

TEST(DefaultOptimizerConstructorLr, CustomKeyOfAnOptimizerWithoutLrNamesTheKey) {
  TinyModel model;
  auto constructor = build_optimizer_constructor(
      py("dict(type='MyOptimizer', a=0.01,\n"
         "     paramwise_cfg=dict(custom_keys={'fc': dict(lr_mult=0.1)}))"),
      "optimizer");
  std::string error = config_error([&] { constructor->param_groups(model); });
  EXPECT_NE(error.find("optimizer.paramwise_cfg.custom_keys['fc']: scales the optimizer's lr"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find(std::string(kFile) + ":2:"), std::string::npos) << error;
}

TEST(DefaultOptimizerConstructorLr, AnOptionTheOptimizerLacksNamesTheGroupAndOption) {
  TinyModel model;
  MomentumConstructor constructor(py("dict(type='Adam', lr=0.1)"),
                                  py("dict(momentum=0.9)").as_dict());
  std::string error = config_error([&] { constructor.build(model); });
  EXPECT_NE(error.find("optimizer: param group 0 (backbone.fc.weight): the optimizer constructor "
                       "set 'momentum', which the optimizer lacks: Adam has no param group option "
                       "'momentum'"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace tubelet::default_optimizer_constructor_test
