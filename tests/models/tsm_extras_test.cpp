// ResNetTSM's shift_place='block', temporal_pool and non-local blocks, and mmcv's NonLocal3d,
// against MMAction2's and mmcv's own sources run by Python's PyTorch
// (tests/fixtures/models_tsm, made by tools/fixtures/make_tsm_fixtures.py). Weights and inputs
// come from the formula both sides share (`fill`), so the fixture holds no weights.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "../support/paths.h"
#include "formula_fixture.h"
#include "tubelet/config/config.h"
#include "tubelet/models/backbones/resnet_tsm.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/common/non_local.h"
#include "tubelet/models/recognizers/recognizer2d.h"

namespace tubelet::tsm_extras_test {
namespace {

using nlohmann::json;
using test::expect_keys;
using test::expect_output;
using test::fill;
using test::input_of;

const json& cases() {
  static const json all = json::parse(
      test::read_text(test::source_dir() / "tests/fixtures/models_tsm/tsm_extras.json"))["cases"];
  return all;
}

const json& fixture_case(const std::string& name) {
  for (const auto& c : cases())
    if (c["name"] == name) return c;
  throw std::runtime_error("no fixture case " + name);
}

NonLocalOptions non_local_options(const std::string& kwargs_text) {
  // The generator's kwargs repr ({'mode': 'gaussian', ...}) read through our own config
  // loader, as NL3DWrapper reads non_local_cfg.
  auto cfg = load_config_text("k = " + kwargs_text + "\n", "/tmp/k.py").at("k");
  Args args(cfg, "NonLocal3d", "nl");
  NonLocalOptions o = NonLocalOptions::from_config(args, 8);
  args.finish();
  return o;
}

TEST(NonLocal3d, MatchesMmcvInEveryMode) {
  int checked = 0;
  for (const auto& c : cases()) {
    if (c["kind"] != "NonLocal3d") continue;
    NonLocal nl(3, non_local_options(c["kwargs"].get<std::string>()));
    expect_keys(*nl, c);
    fill(*nl);
    nl->eval();
    torch::Tensor x = input_of(c["input"]);
    // Compare the non-local term itself (output minus input), not the residual sum.
    expect_output(nl(x), c["output"], 1e-5, x);
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(NonLocal3d, InitAndErrors) {
  NonLocal nl(3, NonLocalOptions(16));
  auto params = nl->named_parameters();
  // mmcv's zeros_init: conv_out starts at zero, so the block starts as the identity.
  EXPECT_EQ(params["conv_out.conv.weight"].abs().sum().item<double>(), 0.0);
  EXPECT_GT(params["g.conv.weight"].abs().sum().item<double>(), 0.0);
  EXPECT_LT(params["g.conv.weight"].std().item<double>(), 0.02);  // normal(0, 0.01)
  EXPECT_EQ(nl->inter_channels(), 8);
  auto x = torch::randn({1, 16, 2, 3, 3});
  EXPECT_TRUE(torch::allclose(nl(x), x));
  EXPECT_NE(test::error_of([] { NonLocal(3, NonLocalOptions(4).mode("cosine")); }).find("cosine"),
            std::string::npos);
}

std::shared_ptr<ResNetTSMImpl> tsm_from(const std::string& cfg) {
  return std::dynamic_pointer_cast<ResNetTSMImpl>(
      build_model(load_config_text("model = " + cfg + "\n", "/tmp/t.py").at("model")));
}

void check_backbone(const std::string& name, double tolerance) {
  const json& c = fixture_case(name);
  auto m = tsm_from(c["cfg"].get<std::string>());
  ASSERT_TRUE(m);
  expect_keys(*m, c);
  fill(*m);
  m->eval();
  torch::NoGradGuard no_grad;
  expect_output(m->forward(input_of(c["input"])), c["output"], tolerance);
}

TEST(ResNetTSMExtras, BlockShiftMatchesMMAction2) {
  check_backbone("tsm18_block", 1e-4);
}

TEST(ResNetTSMExtras, TemporalPoolMatchesMMAction2) {
  check_backbone("tsm18_temporal_pool", 1e-4);
  check_backbone("tsm18_block_temporal_pool", 1e-4);
}

TEST(ResNetTSMExtras, NonLocalMatchesMMAction2) {
  check_backbone("tsm50_non_local", 1e-4);
}

TEST(ResNetTSMExtras, TemporalPoolHalvesSegmentsForTheHead) {
  auto cfg = load_config_text(
      "model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, "
      "num_segments=4, temporal_pool=True), cls_head=dict(type='TSMHead', num_classes=3, "
      "in_channels=512, num_segments=4, temporal_pool=True), "
      "test_cfg=dict(average_clips='score'))\n",
      "/tmp/t.py");
  auto model = std::dynamic_pointer_cast<Recognizer2DImpl>(build_model(cfg.at("model")));
  ASSERT_TRUE(model);
  model->eval();
  torch::NoGradGuard no_grad;
  auto imgs = torch::randn({2, 4, 3, 32, 32});
  // The backbone gives 2 frames per video; the head averages over num_segments / 2 of them.
  auto backbone = model->named_children()["backbone"]->as<ResNetTSMImpl>();
  auto features = backbone->forward(imgs.view({8, 3, 32, 32}));
  ASSERT_EQ(features.sizes(), (std::vector<int64_t>{4, 512, 1, 1}));
  auto fc =
      model->named_children()["cls_head"]->named_children()["fc_cls"]->as<torch::nn::LinearImpl>();
  auto per_frame = fc->forward(features.flatten(1)).view({2, 2, 3}).mean(1);
  auto scores = model->forward_test(imgs);
  EXPECT_TRUE(torch::allclose(scores, per_frame, 1e-5, 1e-6)) << scores << per_frame;
}

TEST(ResNetTSMExtras, FrozenStagesFreezeNonLocalBlocks) {
  auto m = tsm_from(
      "dict(type='ResNetTSM', depth=50, num_segments=2, frozen_stages=2, "
      "non_local=((0, 0, 0), (1, 0, 0, 0), (1, 0, 0, 0, 0, 0), (0, 0, 0)), "
      "non_local_cfg=dict(mode='dot_product'))");
  m->train();
  auto params = m->named_parameters();
  EXPECT_FALSE(params["layer2.0.non_local_block.g.conv.weight"].requires_grad());
  EXPECT_FALSE(params["layer2.0.block.conv1.conv.net.weight"].requires_grad());
  EXPECT_TRUE(params["layer3.0.non_local_block.g.conv.weight"].requires_grad());
}

TEST(ResNetTSMExtras, ArgumentsAsMMAction2ReadsThem) {
  // non_local alone does nothing: MMAction2 only looks at it when non_local_cfg is given.
  auto plain = tsm_from("dict(type='ResNetTSM', depth=18, non_local=(0, 1, 0, 0))");
  EXPECT_TRUE(plain->named_parameters().contains("layer2.0.conv1.conv.net.weight"));
  // Any shift_place containing 'blockres' is 'blockres'.
  EXPECT_TRUE(tsm_from("dict(type='ResNetTSM', depth=18, shift_place='blockres_x')")
                  ->named_parameters()
                  .contains("layer1.0.conv1.conv.net.weight"));
  auto error = [](const std::string& cfg) { return test::error_of([&] { tsm_from(cfg); }); };
  EXPECT_NE(error("dict(type='ResNetTSM', depth=18, shift_place='channel')").find("shift_place"),
            std::string::npos);
  EXPECT_NE(error("dict(type='ResNetTSM', depth=18, non_local=((0, 0), (1, 0), (0, 0), (0, 0)), "
                  "non_local_cfg=dict(mode='dot_product'))")
                .find("Bottleneck"),
            std::string::npos);
  EXPECT_NE(error("dict(type='ResNetTSM', depth=50, non_local=(0, 1, 0, 0), "
                  "non_local_cfg=dict(mode='dot_product'))")
                .find("non_local"),
            std::string::npos);
  EXPECT_NE(error("dict(type='ResNetTSM', depth=50, non_local=((0,), (1,), (0,), (0,)), "
                  "non_local_cfg=dict(mode='dot_product', kernel=3))")
                .find("kernel"),
            std::string::npos);
  EXPECT_NE(error("dict(type='ResNetTSM', depth=18, num_segments=1, temporal_pool=True)")
                .find("num_segments"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::tsm_extras_test
