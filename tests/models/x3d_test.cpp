// X3D and X3DHead: MMAction2's own modules (run by tools/fixtures/make_x3d_mobilenet_fixtures.py)
// give the expected outputs and state_dict keys; the full-size X3D-S keys are checked too.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "models/models_misc_fixture.h"
#include "tubelet/models/backbones/x3d.h"
#include "tubelet/models/heads/x3d_head.h"
#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet::x3d_test {
namespace {

using checkpoint::StateDict;
using test::expect_close;
using test::expect_same_keys;

std::shared_ptr<torch::nn::Module> build(const std::string& text) {
  return test::build_from_text(text);
}

const char* kTinyX3D =
    "dict(type='X3D', gamma_w=0.25, gamma_b=1.25, gamma_d=0.5, num_stages=3, "
    "spatial_strides=(2, 2, 2), se_ratio=1 / 16)";

TEST(X3D, MatchesMmaction2Forward) {
  auto model = std::dynamic_pointer_cast<X3DImpl>(build(kTinyX3D));
  ASSERT_TRUE(model);
  test::ModelFixture f = test::model_fixture("x3d");
  expect_same_keys(f.weights, checkpoint::state_dict(*model));
  checkpoint::load_state_dict(*model, f.weights, /*strict=*/true);
  model->eval();
  torch::NoGradGuard no_grad;
  expect_close(model->forward(f.input), f.output);
}

TEST(X3DHead, MatchesMmaction2Forward) {
  auto head = std::dynamic_pointer_cast<X3DHeadImpl>(
      build("dict(type='X3DHead', num_classes=3, in_channels=4, spatial_type='max', "
            "fc1_bias=True)"));
  ASSERT_TRUE(head);
  test::ModelFixture f = test::model_fixture("x3d_head");
  expect_same_keys(f.weights, checkpoint::state_dict(*head));
  checkpoint::load_state_dict(*head, f.weights, /*strict=*/true);
  head->eval();
  torch::NoGradGuard no_grad;
  expect_close(head->forward_scores(f.input, 1), f.output);
}

TEST(X3D, ZooX3DSKeysAndShapesMatchMmaction2) {
  // configs/_base_/models/x3d.py, used by the X3D-S and X3D-M configs.
  auto model = build(
      "dict(type='Recognizer3D', backbone=dict(type='X3D', gamma_w=1, gamma_b=2.25, "
      "gamma_d=2.2), cls_head=dict(type='X3DHead', in_channels=432, num_classes=400, "
      "spatial_type='avg', dropout_ratio=0.5, fc1_bias=False), train_cfg=None, "
      "test_cfg=dict(average_clips='prob'))");
  test::expect_zoo_keys("x3d", checkpoint::state_dict(*model));
  // Blocks per stage: ceil(2.2 * (1, 2, 5, 3)); SE in every other block; zero-init residuals.
  auto x3d = std::dynamic_pointer_cast<X3DImpl>(model->named_children()["backbone"]);
  ASSERT_TRUE(x3d);
  EXPECT_EQ(x3d->stage_blocks(), (std::vector<int64_t>{3, 5, 11, 7}));
  auto params = model->named_parameters();
  EXPECT_TRUE(params.contains("backbone.layer3.10.se_module.fc1.weight"));
  EXPECT_FALSE(params.contains("backbone.layer3.9.se_module.fc1.weight"));
  EXPECT_EQ(params["backbone.layer2.0.conv3.bn.weight"].abs().sum().item<double>(), 0.0);
  EXPECT_EQ(params["backbone.conv1_t.bn.weight"].min().item<double>(), 1.0);
}

TEST(X3D, ZooConfigsBuildWithMmaction2Keys) {
  TUBELET_REQUIRE_SHARED();
  for (const char* config : {"recognition__x3d__x3d_s_13x6x1_facebook_kinetics400_rgb.json",
                             "recognition__x3d__x3d_m_16x5x1_facebook_kinetics400_rgb.json"}) {
    SCOPED_TRACE(config);
    auto model = build_model(test::zoo_model_without_download(config));
    test::expect_zoo_keys("x3d", checkpoint::state_dict(*model));
  }
}

TEST(X3D, RoundsWidthsAsMmaction2) {
  EXPECT_EQ(x3d_round_width(24, 1), 24);
  EXPECT_EQ(x3d_round_width(24, 0.25), 8);  // 6 -> at least 8
  EXPECT_EQ(x3d_round_width(24, 0.5), 16);  // 12 + 4 -> 16
  EXPECT_EQ(x3d_round_width(54, 1.0 / 16), 8);
  EXPECT_EQ(x3d_round_width(432, 1.0 / 16), 32);  // 27 -> 24 < 0.9 * 27 -> 32
  EXPECT_EQ(x3d_round_width(24, 0), 24);          // no multiplier
}

TEST(X3D, FrozenStagesAndNormEval) {
  auto model = std::dynamic_pointer_cast<X3DImpl>(
      build("dict(type='X3D', gamma_w=0.25, gamma_d=0.5, frozen_stages=1, norm_eval=True)"));
  model->train();
  auto params = model->named_parameters();
  EXPECT_FALSE(params["conv1_s.conv.weight"].requires_grad());
  EXPECT_FALSE(params["conv1_t.bn.weight"].requires_grad());
  EXPECT_FALSE(params["layer1.0.conv1.conv.weight"].requires_grad());
  EXPECT_TRUE(params["layer2.0.conv1.conv.weight"].requires_grad());
  for (auto& m : model->modules())
    if (m->name().find("BatchNorm") != std::string::npos) {
      EXPECT_FALSE(m->is_training());
    }
  // The stride-2 stages take 32x32 down to 2x2 (stem 16, then 8, 4, 2... and 1 at stage 4).
  auto out = model->forward(torch::randn({1, 3, 2, 32, 32}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{1, 64, 2, 1, 1}));
}

TEST(X3D, TrainsAndTestsInRecognizer3D) {
  auto model = std::dynamic_pointer_cast<BaseRecognizerImpl>(
      build("dict(type='Recognizer3D', backbone=dict(type='X3D', gamma_w=0.25, gamma_d=0.5, "
            "num_stages=2, spatial_strides=(2, 2)), cls_head=dict(type='X3DHead', in_channels=16, "
            "num_classes=3), test_cfg=dict(average_clips='prob'))"));
  ASSERT_TRUE(model);
  model->train();
  auto losses = model->forward_train(torch::randn({2, 1, 3, 2, 16, 16}), torch::tensor({0, 2}));
  ASSERT_FALSE(losses.empty());
  EXPECT_EQ(losses.back().first, "loss_cls");
  losses.back().second.backward();
  EXPECT_TRUE(model->named_parameters()["backbone.conv1_s.conv.weight"].grad().defined());
  model->eval();
  auto probs = model->forward_test(torch::randn({1, 2, 3, 2, 16, 16}));
  EXPECT_EQ(probs.sizes(), (std::vector<int64_t>{1, 3}));
}

TEST(X3D, Errors) {
  auto model = std::dynamic_pointer_cast<X3DImpl>(build("dict(type='X3D', gamma_w=0.25)"));
  std::string bad_input = test::error_of([&] { model->forward(torch::randn({2, 3, 16, 16})); });
  EXPECT_NE(bad_input.find("[N, C, T, H, W]"), std::string::npos) << bad_input;
  auto error = [](const std::string& text) { return test::error_of([&] { build(text); }); };
  EXPECT_NE(error("dict(type='X3D', se_style='some')").find("se_style"), std::string::npos);
  EXPECT_NE(error("dict(type='X3D', num_stages=3)").find("spatial_strides"), std::string::npos);
  EXPECT_NE(error("dict(type='X3D', depth=50)").find("depth"), std::string::npos);
  EXPECT_NE(error("dict(type='X3D', pretrained='open-mmlab://no_such')").find("is not in"),
            std::string::npos);
  EXPECT_NE(error("dict(type='X3DHead', num_classes=3, in_channels=4, spatial_type=None)")
                .find("spatial_type"),
            std::string::npos);
  // X3DHead takes no multi_class (BaseHead's), as in MMAction2.
  EXPECT_NE(error("dict(type='X3DHead', num_classes=3, in_channels=4, multi_class=True)")
                .find("multi_class"),
            std::string::npos);
  auto head = std::dynamic_pointer_cast<X3DHeadImpl>(
      build("dict(type='X3DHead', num_classes=3, in_channels=4)"));
  std::string bad_features = test::error_of([&] {
    head->forward_scores(torch::randn({2, 5, 1, 1, 1}), 1);
  });
  EXPECT_NE(bad_features.find("[N, in_channels, T, H, W]"), std::string::npos) << bad_features;
}

}  // namespace
}  // namespace tubelet::x3d_test
