// TAM and TANet against MMAction2's own tanet.py and common/tam.py run by Python's PyTorch
// (tests/fixtures/models_tsm/tanet_tin.json, tools/fixtures/make_tanet_tin_fixtures.py).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "formula_fixture.h"
#include "tubelet/config/config.h"
#include "tubelet/models/backbones/tanet.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/common/tam.h"

namespace tubelet::tanet_test {
namespace {

using test::json;

const json& cases() {
  static const json all = test::formula_cases("tanet_tin.json");
  return all;
}

std::shared_ptr<torch::nn::Module> build(const std::string& cfg) {
  return build_model(load_config_text("model = " + cfg + "\n", "/tmp/t.py").at("model"));
}

TEST(TAM, MatchesMMAction2) {
  const json& c = test::case_named(cases(), "tam");
  TAM tam(TAMOptions(16, 4).alpha(3).adaptive_kernel_size(5).adaptive_convolution_padding(2));
  test::expect_keys(*tam, c);
  test::fill(*tam);
  tam->eval();
  test::expect_output(tam(test::input_of(c["input"])), c["output"], 1e-5);
}

TEST(TAM, AUniformKernelAndOpenGateAverageNeighbours) {
  // With G giving [1/3, 1/3, 1/3] and L gating by 1, TAM is a zero-padded 3-frame mean.
  TAM tam(TAMOptions(4, 3).beta(4));
  tam->eval();
  torch::NoGradGuard no_grad;
  auto params = tam->named_parameters();
  params["G.3.weight"].zero_();                                  // softmax of zeros: uniform
  params["L.3.weight"].fill_(0.0);                               // sigmoid(0) = 0.5 ...
  auto x = torch::arange(12, torch::kFloat).view({3, 4, 1, 1});  // frame t, channel c
  auto y = tam(x).view({3, 4});
  auto frames = x.view({3, 4}) * 0.5;  // ... so every value is halved
  auto expected =
      torch::stack({(frames[0] + frames[1]) / 3, (frames[0] + frames[1] + frames[2]) / 3,
                    (frames[1] + frames[2]) / 3});
  EXPECT_TRUE(torch::allclose(y, expected, 1e-5, 1e-6)) << y << expected;
}

TEST(TANet, MatchesMMAction2) {
  const json& c = test::case_named(cases(), "tanet50");
  auto m = std::dynamic_pointer_cast<TANetImpl>(build(c["cfg"].get<std::string>()));
  ASSERT_TRUE(m);
  test::expect_keys(*m, c);
  test::fill(*m);
  m->eval();
  torch::NoGradGuard no_grad;
  test::expect_output(m->forward(test::input_of(c["input"])), c["output"], 1e-4);
}

TEST(TANet, ArgumentsAndErrors) {
  auto error = [](const std::string& cfg) { return test::error_of([&] { build(cfg); }); };
  EXPECT_NE(error("dict(type='TANet', depth=50)").find("num_segments"), std::string::npos);
  EXPECT_NE(error("dict(type='TANet', depth=50, num_segments=2)").find("num_segments >= 3"),
            std::string::npos);
  EXPECT_NE(error("dict(type='TANet', depth=18, num_segments=8)").find("Bottleneck"),
            std::string::npos);
  EXPECT_NE(
      error("dict(type='TANet', depth=50, num_segments=8, tam_cfg=dict(gamma=1))").find("gamma"),
      std::string::npos);
  auto m = build("dict(type='TANet', depth=50, num_segments=8, frozen_stages=1)");
  m->train();
  auto params = m->named_parameters();
  EXPECT_FALSE(params["layer1.0.tam.G.0.weight"].requires_grad());
  EXPECT_TRUE(params["layer2.0.tam.G.0.weight"].requires_grad());
  EXPECT_EQ(params["layer1.0.tam.L.0.weight"].sizes(), (std::vector<int64_t>{16, 64, 3}));
}

}  // namespace
}  // namespace tubelet::tanet_test
