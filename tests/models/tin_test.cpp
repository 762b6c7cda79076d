// mmcv's tin_shift (CUDA kernel semantics, gradient included), the Temporal Interlace module
// and ResNetTIN against MMAction2's resnet_tin.py run by Python's PyTorch
// (tests/fixtures/models_tsm/tanet_tin.json, tools/fixtures/make_tanet_tin_fixtures.py).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "formula_fixture.h"
#include "tubelet/config/config.h"
#include "tubelet/models/backbones/resnet_tin.h"
#include "tubelet/models/builder.h"

namespace tubelet::tin_test {
namespace {

using test::json;

const json& cases() {
  static const json all = test::formula_cases("tanet_tin.json");
  return all;
}

std::shared_ptr<torch::nn::Module> build(const std::string& cfg) {
  return build_model(load_config_text("model = " + cfg + "\n", "/tmp/t.py").at("model"));
}

TEST(TinShift, MovesEachGroupByItsShift) {
  // 1 video, 4 frames, 2 groups of 1 channel, 1 pixel; value = 10 * frame + channel.
  auto x = torch::zeros({1, 4, 2, 1});
  for (int t = 0; t < 4; ++t)
    for (int c = 0; c < 2; ++c) x[0][t][c][0] = 10 * t + c + 1;
  auto shift = torch::tensor({{1, -2}}, torch::kInt);
  auto y = tin_shift(x, shift).view({4, 2});
  // out[t + s] = in[t]: channel 0 moves one frame later, channel 1 two frames earlier.
  auto expected = torch::tensor({{0.f, 22.f}, {1.f, 32.f}, {11.f, 0.f}, {21.f, 0.f}});
  EXPECT_TRUE(torch::equal(y, expected)) << y;
}

TEST(TinShift, GradientIsMmcvsKernel) {
  // mmcv's backward moves the gradient by the same +s (its test_tin_shift.py grads): for
  // s = 1 the first frame gets none, for s = -2 the last two frames get none.
  auto x = torch::rand({1, 4, 2, 1}).requires_grad_(true);
  tin_shift(x, torch::tensor({{1, -2}}, torch::kInt)).sum().backward();
  auto expected = torch::tensor({{0.f, 1.f}, {1.f, 1.f}, {1.f, 0.f}, {1.f, 0.f}});
  EXPECT_TRUE(torch::equal(x.grad().view({4, 2}), expected)) << x.grad();
  EXPECT_NE(test::error_of([] {
              tin_shift(torch::zeros({1, 4, 3, 1}), torch::zeros({1, 2}));
            }).find("multiple"),
            std::string::npos);
}

TEST(LinearSampler, InterpolatesFractionalOffsets) {
  auto x = torch::arange(4, torch::kFloat).view({1, 4, 1, 1, 1}) + 1;  // frames 1, 2, 3, 4
  auto y = linear_sampler(x, torch::tensor({{0.25f}})).view({4});
  // 0.75 of the unshifted frames plus 0.25 of the frames moved one later.
  auto expected = torch::tensor({0.75f, 1.5f + 0.25f, 2.25f + 0.5f, 3.0f + 0.75f});
  EXPECT_TRUE(torch::allclose(y, expected)) << y;
}

void check_backbone(const std::string& name) {
  const json& c = test::case_named(cases(), name);
  auto m = std::dynamic_pointer_cast<ResNetTINImpl>(build(c["cfg"].get<std::string>()));
  ASSERT_TRUE(m);
  test::expect_keys(*m, c);
  test::fill(*m);
  m->eval();
  torch::NoGradGuard no_grad;
  test::expect_output(m->forward(test::input_of(c["input"])), c["output"], 1e-4);
}

TEST(ResNetTIN, MatchesMMAction2) {
  check_backbone("tin18");
}

TEST(ResNetTIN, NonLocalMatchesMMAction2) {
  check_backbone("tin50_non_local");
}

TEST(ResNetTIN, InitAndArguments) {
  auto m = build("dict(type='ResNetTIN', depth=18, num_segments=4, temporal_pool=True)");
  auto params = m->named_parameters();
  // MMAction2's starting values: offsets 4 * (sigmoid(0.5108) - 0.5) ~ 0.5, weights 1.
  EXPECT_TRUE(torch::allclose(params["layer1.0.conv1.conv.net1.offset_net.fc2.bias"],
                              torch::full({2}, 0.5108)));
  EXPECT_EQ(params["layer1.0.conv1.conv.net1.weight_net.conv.bias"].abs().sum().item<double>(),
            0.0);
  // temporal_pool and shifting are accepted but, as in MMAction2, do nothing for TIN.
  auto out = std::dynamic_pointer_cast<ResNetTINImpl>(m)->forward(torch::randn({8, 3, 32, 32}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{8, 512, 1, 1}));
  EXPECT_FALSE(params.contains("layer1.0.conv1.conv.net1.net.weight"));
  auto off = build("dict(type='ResNetTIN', depth=18, is_tin=False)");
  EXPECT_TRUE(off->named_parameters().contains("layer1.0.conv1.conv.weight"));
}

}  // namespace
}  // namespace tubelet::tin_test
