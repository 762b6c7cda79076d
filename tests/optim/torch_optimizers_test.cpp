// LibTorch's optimizers under PyTorch's names: every registered optimizer builds and steps,
// and the update rules match hand-computed values.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "tubelet/config/config.h"
#include "tubelet/optim/registries.h"

namespace tubelet::torch_optimizers_test {
namespace {

Value optimizer_cfg(const std::string& text) {
  return load_config_text("optimizer = " + text + "\n", "/tmp/optim.py").at("optimizer");
}

struct OneParam {
  torch::Tensor p = torch::tensor({1.0, -2.0}).requires_grad_(true);
  std::shared_ptr<torch::optim::Optimizer> build(const std::string& cfg) {
    return OPTIMIZERS().build(optimizer_cfg(cfg), {"optimizer"}, ParamGroups{{{p}}});
  }
  // Sets the gradient of 0.5 * |p|^2 (that is p) and steps once.
  void step(torch::optim::Optimizer& opt) {
    opt.zero_grad();
    (0.5 * (p * p).sum()).backward();
    opt.step([&] {
      opt.zero_grad();
      auto loss = 0.5 * (p * p).sum();
      loss.backward();
      return loss;
    });
  }
};

TEST(TorchOptimizers, EveryRegisteredOptimizerBuildsAndSteps) {
  std::vector<std::string> names = OPTIMIZERS().names();
  for (const char* expected : {"SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "LBFGS"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  for (const std::string& name : names) {
    if (name == "SparseAdam") continue;  // needs sparse gradients: an error by design
    OneParam x;
    auto opt = x.build("dict(type='" + name + "', lr=0.1)");
    x.step(*opt);
    EXPECT_LT(x.p.abs().sum().item<double>(), 3.0) << name << " did not move toward 0";
  }
}

TEST(TorchOptimizers, SgdWithMomentumAndWeightDecayMatchesHandComputedSteps) {
  OneParam x;
  auto opt = x.build("dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.5)");
  // g = p + 0.5 p = 1.5 p; buf = g; p -= 0.1 * buf  ->  p * 0.85
  x.step(*opt);
  EXPECT_TRUE(torch::allclose(x.p, torch::tensor({0.85, -1.7})));
  // g = 1.5 * 0.85 p0 = 1.275 p0; buf = 0.9 * 1.5 p0 + 1.275 p0 = 2.625 p0; p = 0.85 p0 - 0.2625 p0
  x.step(*opt);
  EXPECT_TRUE(torch::allclose(x.p, torch::tensor({0.5875, -1.175})));
}

TEST(TorchOptimizers, AdamFirstStepMovesEachWeightByLr) {
  OneParam x;
  auto opt = x.build("dict(type='Adam', lr=0.01, betas=(0.9, 0.999))");
  x.step(*opt);  // bias-corrected m / sqrt(v) = sign(g) on the first step
  EXPECT_TRUE(torch::allclose(x.p, torch::tensor({0.99, -1.99}), 1e-6, 1e-6));
}

TEST(TorchOptimizers, ArgumentsAreCheckedAsPytorchChecksThem) {
  auto error_of = [](const std::string& cfg) {
    try {
      OneParam x;
      x.build(cfg);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("dict(type='SGD')").find("SGD: missing required argument 'lr'"),
            std::string::npos);
  EXPECT_NE(error_of("dict(type='SGD', lr=-1)").find("Invalid learning rate: -1.0"),
            std::string::npos);
  EXPECT_NE(error_of("dict(type='SGD', lr=0.1, nesterov=True)")
                .find("Nesterov momentum requires a momentum and zero dampening"),
            std::string::npos);
  EXPECT_NE(
      error_of("dict(type='Adam', betas=(0.9, 1.0))").find("Invalid beta parameter at index 1"),
      std::string::npos);
  EXPECT_NE(
      error_of("dict(type='SGD', lr=0.1, maximize=True)").find("'maximize=True' is not supported"),
      std::string::npos);
  EXPECT_NE(
      error_of("dict(type='SGD', lr=0.1, momentom=0.9)").find("unexpected argument 'momentom'"),
      std::string::npos);
  EXPECT_NE(error_of("dict(type='Adamm')").find("did you mean 'Adam'?"), std::string::npos);
  EXPECT_EQ(error_of("dict(type='SGD', lr=0.1, foreach=None, maximize=False)"), "no error");
}

}  // namespace
}  // namespace tubelet::torch_optimizers_test
