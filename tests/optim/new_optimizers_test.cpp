// The optimizers written here (Adadelta, Adamax, ASGD, NAdam, RAdam, Rprop) and MMAction2's
// CopyOfSGD against trajectories computed by PyTorch 1.13 itself
// (tools/fixtures/make_optimizer_fixtures.py), their save/load round trip, PyTorch's argument
// checks and their param-group options. The trajectories also cover LibTorch's SGD, Adam, AdamW,
// RMSprop and Adagrad with a second group configured through set_group_option.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <sstream>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/optim/group_options.h"
#include "tubelet/optim/registries.h"

namespace tubelet::new_optimizers_test {
namespace {

constexpr int kSteps = 8;
// Bit-identical here (same operations in the same order as PyTorch); the margin allows for
// other CPUs fusing multiply-adds differently.
constexpr double kRelTol = 1e-12;

const Dict& fixture() {
  static const Dict d =
      load_config((test::source_dir() / "tests/fixtures/optim/trajectories.json").string());
  return d;
}

torch::Tensor tensor_of(const Value& v, std::vector<int64_t> shape) {
  std::vector<double> xs;
  for (const Value& x : v.as_list()) xs.push_back(x.as_float());
  return torch::tensor(xs, torch::kDouble).reshape(shape);
}

std::shared_ptr<torch::optim::Optimizer> build(const std::string& cfg, ParamGroups groups) {
  Value c = load_config_text("optimizer = " + cfg + "\n", "/tmp/optim.py").at("optimizer");
  return OPTIMIZERS().build(c, {"optimizer"}, std::move(groups));
}

// Two parameter groups stepped with the gradient p**3 - c + 0.05 t, as the fixture's generator.
struct Trajectory {
  const Dict& c;
  torch::Tensor p0, p1, c0, c1;
  std::shared_ptr<torch::optim::Optimizer> opt;

  explicit Trajectory(const Dict& case_, torch::Tensor q0 = {}, torch::Tensor q1 = {})
      : c(case_),
        p0((q0.defined() ? q0 : tensor_of(fixture().at("p0"), {3})).clone().requires_grad_()),
        p1((q1.defined() ? q1 : tensor_of(fixture().at("p1"), {2, 2})).clone().requires_grad_()),
        c0(tensor_of(fixture().at("c0"), {3})),
        c1(tensor_of(fixture().at("c1"), {2, 2})) {
    ParamGroups groups;
    groups.emplace_back(std::vector<torch::Tensor>{p0});
    groups.emplace_back(std::vector<torch::Tensor>{p1});
    opt = build(c.at("config").as_str(), std::move(groups));
    // The second group's own options, set as a param-group constructor sets them.
    for (const auto& [key, value] : c.at("overrides").as_dict())
      set_group_option(opt->param_groups()[1].options(), key.as_str(), value);
  }

  void step(int t) {
    for (auto [p, target] : {std::make_pair(p0, c0), std::make_pair(p1, c1)}) {
      torch::Tensor d = p.detach();
      p.mutable_grad() = d * d * d - target + 0.05 * t;
    }
    opt->step();
  }

  // Largest relative difference from PyTorch's parameters after step t.
  double error_after(int t) const {
    const List& expected = c.at("steps").as_list()[t].as_list();
    double worst = 0;
    int i = 0;
    for (const torch::Tensor& p : {p0, p1}) {
      torch::Tensor want = tensor_of(expected[i++], p.sizes().vec());
      torch::Tensor rel = (p.detach() - want).abs() / want.abs().clamp_min(1e-300);
      worst = std::max(worst, rel.max().item<double>());
    }
    return worst;
  }
};

TEST(NewOptimizers, MatchPytorchTrajectories) {
  ASSERT_EQ(fixture().at("cases").as_list().size(), 18u);
  for (const Value& v : fixture().at("cases").as_list()) {
    const Dict& c = v.as_dict();
    Trajectory run(c);
    for (int t = 0; t < kSteps; ++t) {
      run.step(t);
      EXPECT_LE(run.error_after(t), kRelTol) << c.at("name").as_str() << " step " << t;
    }
  }
}

TEST(NewOptimizers, SaveAndLoadContinueIdentically) {
  for (const Value& v : fixture().at("cases").as_list()) {
    const Dict& c = v.as_dict();
    Trajectory first(c);
    for (int t = 0; t < 3; ++t) first.step(t);
    std::stringstream saved;
    torch::save(*first.opt, saved);

    Trajectory resumed(c, first.p0.detach(), first.p1.detach());
    torch::load(*resumed.opt, saved);
    for (int t = 3; t < kSteps; ++t) {
      resumed.step(t);
      EXPECT_LE(resumed.error_after(t), kRelTol) << c.at("name").as_str() << " step " << t;
    }
  }
}

std::string build_error(const std::string& cfg) {
  return test::error_of([&] {
    ParamGroups groups;
    groups.emplace_back(std::vector<torch::Tensor>{torch::zeros({2}).requires_grad_()});
    build(cfg, std::move(groups));
  });
}

TEST(NewOptimizers, ArgumentsAreCheckedAsPytorchChecksThem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"dict(type='Adadelta', lr=-1)", "Invalid learning rate: -1.0"},
      {"dict(type='Adadelta', rho=1.5)", "Invalid rho value: 1.5"},
      {"dict(type='Adadelta', eps=-1e-6)", "Invalid epsilon value: -1e-06"},
      {"dict(type='Adamax', betas=(0.9, 1.0))", "Invalid beta parameter at index 1: 1.0"},
      {"dict(type='Adamax', weight_decay=-0.1)", "Invalid weight_decay value: -0.1"},
      {"dict(type='ASGD', lr=-0.5)", "Invalid learning rate: -0.5"},
      {"dict(type='ASGD', weight_decay=-0.1)", "Invalid weight_decay value: -0.1"},
      {"dict(type='NAdam', momentum_decay=-1)", "Invalid momentum_decay value: -1.0"},
      {"dict(type='NAdam', maximize=True)", "unexpected argument 'maximize'"},  // not in 1.13
      {"dict(type='RAdam', betas=(-0.1, 0.9))", "Invalid beta parameter at index 0: -0.1"},
      {"dict(type='RAdam', eps=-1)", "Invalid epsilon value: -1.0"},
      {"dict(type='Rprop', etas=(0.5, 0.9))", "Invalid eta values: 0.5, 0.9"},
      {"dict(type='Rprop', etas=(0.5,))", "etas must hold two floats"},
      {"dict(type='SparseAdam', lr=0)", "Invalid learning rate: 0.0"},
      {"dict(type='SparseAdam')", "SparseAdam updates only parameters with sparse gradients"},
      {"dict(type='CopyOfSGD', lr=0.1, nesterov=True)",
       "Nesterov momentum requires a momentum and zero dampening"},
  };
  for (const auto& [cfg, message] : cases)
    EXPECT_NE(build_error(cfg).find(message), std::string::npos)
        << cfg << " -> " << build_error(cfg);
  for (const char* cfg :
       {"dict(type='Adadelta', foreach=True, maximize=True)", "dict(type='ASGD', maximize=True)",
        "dict(type='Rprop', step_sizes=(1e-3, 1), foreach=None)", "dict(type='NAdam')",
        "dict(type='RAdam')", "dict(type='Adamax', maximize=True)"})
    EXPECT_EQ(build_error(cfg), "no error") << cfg;
}

TEST(NewOptimizers, SparseGradientsAreRefused) {
  auto p = torch::zeros({3, 2}, torch::kDouble).requires_grad_();
  ParamGroups groups;
  groups.emplace_back(std::vector<torch::Tensor>{p});
  auto opt = build("dict(type='Adadelta')", std::move(groups));
  p.mutable_grad() = torch::eye(3, 2, torch::kDouble).to_sparse();
  EXPECT_NE(test::error_of([&] { opt->step(); }).find("Adadelta does not support sparse gradients"),
            std::string::npos);
}

TEST(NewOptimizers, GroupOptionsReadAsPytorchsParamGroups) {
  // repr of PyTorch 1.13's param_groups[0] without 'params', for the default arguments.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Adadelta",
       "{'lr': 1.0, 'rho': 0.9, 'eps': 1e-06, 'weight_decay': 0, 'maximize': False, "
       "'foreach': None}"},
      {"Adamax",
       "{'lr': 0.002, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0, 'foreach': None, "
       "'maximize': False}"},
      {"ASGD",
       "{'lr': 0.01, 'lambd': 0.0001, 'alpha': 0.75, 't0': 1000000.0, 'weight_decay': 0, "
       "'foreach': None, 'maximize': False}"},
      {"NAdam",
       "{'lr': 0.002, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0, "
       "'momentum_decay': 0.004, 'foreach': None}"},
      {"RAdam",
       "{'lr': 0.001, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0, 'foreach': None}"},
      {"Rprop",
       "{'lr': 0.01, 'etas': (0.5, 1.2), 'step_sizes': (1e-06, 50), 'foreach': None, "
       "'maximize': False}"},
  };
  for (const auto& [type, expected] : cases) {
    ParamGroups groups;
    groups.emplace_back(std::vector<torch::Tensor>{torch::zeros({2}).requires_grad_()});
    auto opt = build("dict(type='" + type + "')", std::move(groups));
    auto& options = opt->param_groups()[0].options();
    EXPECT_EQ(repr(Value(group_options(options))), expected) << type;
    // A generic LR schedule goes through get_lr/set_lr.
    options.set_lr(0.25);
    EXPECT_EQ(get_group_option(options, "lr"), Value(0.25)) << type;
    EXPECT_EQ(options.get_lr(), 0.25) << type;
  }
}

}  // namespace
}  // namespace tubelet::new_optimizers_test
