// MobileNetV2 and MobileNetV2TSM: MMAction2's own modules (run by
// tools/fixtures/make_x3d_mobilenet_fixtures.py) give the expected outputs and keys.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "models/models_misc_fixture.h"
#include "tubelet/models/backbones/mobilenet_v2_tsm.h"
#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet::mobilenet_v2_test {
namespace {

using checkpoint::StateDict;

const char* kTinyArgs = "widen_factor=0.1, out_indices=(2, 4)";

// The fixture leaves out the stages after layer5 (out_indices stop there).
bool in_fixture(const std::string& key) {
  for (const char* later : {"layer6.", "layer7.", "conv2."})
    if (key.rfind(later, 0) == 0) return false;
  return true;
}

torch::Tensor flat_outputs(const std::vector<torch::Tensor>& outs) {
  std::vector<torch::Tensor> flat;
  for (const auto& o : outs) flat.push_back(o.flatten(1));
  return torch::cat(flat, 1);
}

TEST(MobileNetV2, MatchesMmaction2Forward) {
  auto model = std::dynamic_pointer_cast<MobileNetV2Impl>(
      test::build_from_text(std::string("dict(type='MobileNetV2', ") + kTinyArgs + ")"));
  ASSERT_TRUE(model);
  test::ModelFixture f = test::model_fixture("mobilenet_v2");
  StateDict ours;
  for (const auto& item : checkpoint::state_dict(*model))
    if (in_fixture(item.key())) ours.insert(item.key(), item.value());
  test::expect_same_keys(f.weights, ours);
  auto report = checkpoint::load_state_dict(*model, f.weights);
  EXPECT_TRUE(report.unexpected_keys.empty());
  EXPECT_TRUE(report.size_mismatches.empty());
  for (const auto& key : report.missing_keys) EXPECT_FALSE(in_fixture(key)) << key;
  model->eval();
  torch::NoGradGuard no_grad;
  test::expect_close(flat_outputs(model->forward_features(f.input)), f.output);
}

TEST(MobileNetV2TSM, LoadsPretrainedThenShiftsAsMmaction2) {
  // The fixture's model loaded mobilenet_v2.pth's weights as `pretrained` (plain keys), then
  // MMAction2 wrapped conv.0 of the residual blocks that expand.
  std::string pretrained = test::models_misc("mobilenet_v2.pth").string();
  auto model = std::dynamic_pointer_cast<MobileNetV2TSMImpl>(test::build_from_text(
      std::string("dict(type='MobileNetV2TSM', num_segments=2, shift_div=4, pretrained='") +
      pretrained + "', " + kTinyArgs + ")"));
  ASSERT_TRUE(model);
  auto params = model->named_parameters();
  EXPECT_TRUE(params.contains("layer2.1.conv.0.net.conv.weight"));
  EXPECT_TRUE(params.contains("layer2.1.conv.0.net.bn.weight"));
  EXPECT_TRUE(params.contains("layer2.0.conv.0.conv.weight"));  // stride 2: no residual
  EXPECT_TRUE(params.contains("layer1.0.conv.0.conv.weight"));  // no expand conv
  test::ModelFixture f = test::model_fixture("mobilenet_v2_tsm");
  model->eval();
  torch::NoGradGuard no_grad;
  test::expect_close(flat_outputs(model->forward_features(f.input)), f.output);
}

TEST(MobileNetV2TSM, ZooKeysAndShapesMatchMmaction2) {
  // configs/_base_/models/tsm_mobilenet_v2.py, without the download.
  auto model = test::build_from_text(
      "dict(type='MobileNetV2TSM', shift_div=8, num_segments=8, is_shift=True, "
      "pretrained=None)");
  StateDict prefixed;
  for (const auto& item : checkpoint::state_dict(*model))
    prefixed.insert("backbone." + item.key(), item.value());
  test::expect_zoo_keys("tsm_mobilenet_v2", prefixed);
  auto out =
      std::dynamic_pointer_cast<Backbone>(model)->forward_features(torch::randn({8, 3, 64, 64}));
  EXPECT_EQ(out.back().sizes(), (std::vector<int64_t>{8, 1280, 2, 2}));
}

TEST(MobileNetV2TSM, TrainsAndTestsInRecognizer2DWithTSMHead) {
  auto model = std::dynamic_pointer_cast<BaseRecognizerImpl>(test::build_from_text(
      "dict(type='Recognizer2D', backbone=dict(type='MobileNetV2TSM', widen_factor=0.1, "
      "num_segments=2), cls_head=dict(type='TSMHead', num_segments=2, num_classes=3, "
      "in_channels=1280), test_cfg=dict(average_clips='prob'))"));
  ASSERT_TRUE(model);
  model->train();
  auto losses = model->forward_train(torch::randn({2, 2, 3, 32, 32}), torch::tensor({0, 2}));
  EXPECT_EQ(losses.back().first, "loss_cls");
  losses.back().second.backward();
  EXPECT_TRUE(
      model->named_parameters()["backbone.layer2.1.conv.0.net.conv.weight"].grad().defined());
  model->eval();
  EXPECT_EQ(model->forward_test(torch::randn({1, 2, 3, 32, 32})).sizes(),
            (std::vector<int64_t>{1, 3}));
}

TEST(MobileNetV2TSM, ZooConfigsBuildWithMmaction2Keys) {
  TUBELET_REQUIRE_SHARED();
  for (const char* config :
       {"recognition__tsm__tsm_mobilenetv2_dense_1x1x8_100e_kinetics400_rgb.json",
        "recognition__tsm__tsm_mobilenetv2_video_dense_1x1x8_100e_kinetics400_rgb.json",
        "recognition__tsm__tsm_mobilenetv2_video_inference_dense_1x1x8_100e_kinetics400_rgb."
        "json"}) {
    SCOPED_TRACE(config);
    auto model = build_model(test::zoo_model_without_download(config));
    StateDict backbone;
    for (const auto& item : checkpoint::state_dict(*model))
      if (item.key().rfind("backbone.", 0) == 0) backbone.insert(item.key(), item.value());
    test::expect_zoo_keys("tsm_mobilenet_v2", backbone);
    auto params = model->named_parameters();
    EXPECT_EQ(params["cls_head.fc_cls.weight"].sizes(), (std::vector<int64_t>{400, 1280}));
  }
}

TEST(MobileNetV2, WidthsFrozenStagesAndNormEval) {
  EXPECT_EQ(make_divisible(32 * 0.1, 8), 8);
  EXPECT_EQ(make_divisible(96 * 0.1, 8), 16);  // 8 < 0.9 * 9.6
  EXPECT_EQ(make_divisible(24 * 1.4, 8), 32);
  auto model = std::dynamic_pointer_cast<MobileNetV2Impl>(test::build_from_text(
      "dict(type='MobileNetV2', widen_factor=1.5, frozen_stages=8, norm_eval=True)"));
  EXPECT_EQ(model->out_channel(), 1920);  // int(1280 * 1.5) above width 1
  model->train();
  for (const auto& p : model->named_parameters())
    EXPECT_FALSE(p.value().requires_grad()) << p.key();  // conv1, layer1..7 and conv2
  for (auto& m : model->modules())
    if (m->name().find("BatchNorm") != std::string::npos) {
      EXPECT_FALSE(m->is_training());
    }
  auto half = std::dynamic_pointer_cast<MobileNetV2Impl>(
      test::build_from_text("dict(type='MobileNetV2', widen_factor=0.5, frozen_stages=2)"));
  half->train();
  auto params = half->named_parameters();
  EXPECT_EQ(half->out_channel(), 1280);
  EXPECT_FALSE(params["layer2.1.conv.2.bn.weight"].requires_grad());
  EXPECT_TRUE(params["layer3.0.conv.0.conv.weight"].requires_grad());
}

TEST(MobileNetV2, Errors) {
  auto model = std::dynamic_pointer_cast<MobileNetV2Impl>(
      test::build_from_text("dict(type='MobileNetV2', widen_factor=0.1)"));
  std::string five_d = test::error_of([&] { model->forward(torch::randn({1, 3, 2, 32, 32})); });
  EXPECT_NE(five_d.find("[N, 3, H, W]"), std::string::npos) << five_d;
  auto tsm = std::dynamic_pointer_cast<MobileNetV2TSMImpl>(
      test::build_from_text("dict(type='MobileNetV2TSM', widen_factor=0.1, num_segments=4)"));
  std::string batch = test::error_of([&] { tsm->forward(torch::randn({6, 3, 32, 32})); });
  EXPECT_NE(batch.find("[N * num_segments, 3, H, W]"), std::string::npos) << batch;
  auto error = [](const std::string& text) {
    return test::error_of([&] { test::build_from_text(text); });
  };
  EXPECT_NE(error("dict(type='MobileNetV2', out_indices=(8,))").find("out_indices"),
            std::string::npos);
  EXPECT_NE(error("dict(type='MobileNetV2', frozen_stages=9)").find("frozen_stages"),
            std::string::npos);
  EXPECT_NE(
      error("dict(type='MobileNetV2TSM', pretrained='mmcls://mobilenet_v9')").find("is not in"),
      std::string::npos);
  EXPECT_NE(error("dict(type='MobileNetV2TSM', shift_place='blockres')").find("shift_place"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::mobilenet_v2_test
