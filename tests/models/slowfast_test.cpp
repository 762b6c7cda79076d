// ResNet3dSlowFast, SlowFastHead and ResNet3dSlowOnly against MMAction2's own modules (the
// fixtures of tools/fixtures/make_3d_model_fixtures.py), full-size key lists, and errors.
#include "fixture_3d.h"
#include "tubelet/models/backbones/resnet3d_slowfast.h"
#include "tubelet/models/recognizers/recognizer3d.h"

namespace tubelet::slowfast_test {
namespace {

using test3d::build;
using test3d::expect_close;

// As SLOWFAST in the fixture script.
const char* kSlowFast =
    "dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowFast', pretrained=None, "
    "resample_rate=4, speed_ratio=2, channel_ratio=2, slow_pathway=dict(type='resnet3d', "
    "depth=18, pretrained=None, lateral=True, base_channels=2, conv1_kernel=(1, 7, 7), "
    "conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1), stage_blocks=(1, 1, 1, 1)), "
    "fast_pathway=dict(type='resnet3d', depth=18, pretrained=None, lateral=False, "
    "base_channels=1, conv1_kernel=(5, 7, 7), conv1_stride_t=1, pool1_stride_t=1, "
    "stage_blocks=(1, 1, 1, 1))), cls_head=dict(type='SlowFastHead', in_channels=24, "
    "num_classes=5, spatial_type='avg', dropout_ratio=0.5), test_cfg=dict(average_clips=None))";

std::shared_ptr<Recognizer3DImpl> loaded(const std::string& text, const std::string& name,
                                         checkpoint::Checkpoint& ckpt) {
  auto model = std::dynamic_pointer_cast<Recognizer3DImpl>(build(text));
  EXPECT_TRUE(model);
  ckpt = test3d::fixture(name);
  test3d::expect_same_state_dict_layout(*model, ckpt.state_dict);
  auto report = checkpoint::load_state_dict(*model, ckpt.state_dict, /*strict=*/true);
  EXPECT_TRUE(report.ok()) << report.message();
  model->eval();
  return model;
}

TEST(SlowFast, MatchesMmaction2Forward) {
  checkpoint::Checkpoint ckpt;
  auto model = loaded(kSlowFast, "slowfast_r18", ckpt);
  torch::NoGradGuard no_grad;
  torch::Tensor input = test3d::entry(ckpt, "input");  // [2, 3, 8, 16, 16]
  auto feats = model->extract_feats(input);
  ASSERT_EQ(feats.size(), 2u);
  expect_close(feats[0], test3d::entry(ckpt, "slow"), "slow pathway");
  expect_close(feats[1], test3d::entry(ckpt, "fast"), "fast pathway");
  // T: slow 8 / resample_rate 4, fast 8 / (4 / speed_ratio 2).
  EXPECT_EQ(feats[0].size(2), 2);
  EXPECT_EQ(feats[1].size(2), 4);
  expect_close(model->forward_dummy(input.unsqueeze(1)), test3d::entry(ckpt, "output"),
               "SlowFastHead scores");
  // forward_test with one clip per video and no averaging gives the same scores.
  expect_close(model->forward_test(input.unsqueeze(1)), test3d::entry(ckpt, "output"),
               "forward_test");
}

TEST(SlowFast, PretrainedLoadsASlowFastCheckpointStrictly) {
  auto ckpt = test3d::fixture("slowfast_r18");
  checkpoint::StateDict backbone_sd;
  for (const auto& item : ckpt.state_dict)
    if (item.key().rfind("backbone.", 0) == 0)
      backbone_sd.insert(item.key().substr(9), item.value());
  test::TempDir dir;
  std::string path = (dir.path() / "slowfast.pth").string();
  checkpoint::save_checkpoint(path, backbone_sd);
  std::string text = kSlowFast;
  text.replace(text.find("pretrained=None"), 15, "pretrained='" + path + "'");
  auto model = std::dynamic_pointer_cast<Recognizer3DImpl>(build(text));
  ASSERT_TRUE(model);
  model->eval();
  torch::NoGradGuard no_grad;
  auto feats = model->extract_feats(test3d::entry(ckpt, "input"));
  expect_close(feats[0], test3d::entry(ckpt, "slow"), "slow pathway");
  // Strict, as MMAction2: a checkpoint with a missing key is an error.
  backbone_sd.erase("fast_path.conv1.conv.weight");
  checkpoint::save_checkpoint(path, backbone_sd);
  std::string e = test::error_of([&] { build(text); });
  EXPECT_NE(e.find("fast_path.conv1.conv.weight"), std::string::npos) << e;
}

TEST(SlowFast, TrainsThroughTheLaterals) {
  auto model = std::dynamic_pointer_cast<Recognizer3DImpl>(build(kSlowFast));
  ASSERT_TRUE(model);
  model->train();
  LossDict losses = model->forward_train(torch::randn({2, 1, 3, 8, 16, 16}), torch::tensor({1, 3}));
  ASSERT_EQ(losses.back().first, "loss_cls");
  losses.back().second.backward();
  auto params = model->named_parameters();
  EXPECT_GT(
      params["backbone.slow_path.layer1_lateral.conv.weight"].grad().abs().sum().item<double>(),
      0.0);
  EXPECT_GT(params["backbone.fast_path.conv1.conv.weight"].grad().abs().sum().item<double>(), 0.0);
}

TEST(SlowFast, FeatureExtractionConcatenatesSlowThenFast) {
  auto model = std::dynamic_pointer_cast<Recognizer3DImpl>(build(std::string(kSlowFast).replace(
      std::string(kSlowFast).rfind("average_clips=None"), 18, "feature_extraction=True")));
  ASSERT_TRUE(model);
  model->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor input = torch::randn({1, 2, 3, 8, 16, 16});
  torch::Tensor feat = model->forward_test(input);
  EXPECT_EQ(feat.sizes(), (std::vector<int64_t>{1, 24}));
  auto maps = model->extract_feats(input.flatten(0, 1));
  torch::Tensor slow = maps[0].mean({2, 3, 4}).mean(0);
  expect_close(feat[0].slice(0, 0, 16), slow, "slow channels first");
}

TEST(SlowFast, FullSizeKeysMatchMmaction2) {
  auto backbone = build(
      "dict(type='ResNet3dSlowFast', pretrained=None, resample_rate=8, speed_ratio=8, "
      "channel_ratio=8, slow_pathway=dict(type='resnet3d', depth=50, pretrained=None, "
      "lateral=True, conv1_kernel=(1, 7, 7), dilations=(1, 1, 1, 1), conv1_stride_t=1, "
      "pool1_stride_t=1, inflate=(0, 0, 1, 1), norm_eval=False), "
      "fast_pathway=dict(type='resnet3d', depth=50, pretrained=None, lateral=False, "
      "base_channels=8, conv1_kernel=(5, 7, 7), conv1_stride_t=1, pool1_stride_t=1, "
      "norm_eval=False))");
  test3d::expect_full_size_keys(*backbone, "slowfast_r50");
  auto params = backbone->named_parameters();
  // 2048 slow + 256 fast channels at the end; laterals 8 -> 16 channels, 5x1x1.
  EXPECT_EQ(params["slow_path.conv1_lateral.conv.weight"].sizes(),
            (std::vector<int64_t>{16, 8, 5, 1, 1}));
  EXPECT_EQ(params["slow_path.layer1.0.conv1.conv.weight"].sizes(),
            (std::vector<int64_t>{64, 80, 1, 1, 1}));
}

TEST(SlowFast, BadInputNamesTheLayout) {
  auto model = std::dynamic_pointer_cast<Recognizer3DImpl>(build(kSlowFast));
  auto backbone = std::dynamic_pointer_cast<Backbone>(model->backbone);
  std::string e = test::error_of([&] { backbone->forward_features(torch::randn({3, 8, 16, 16})); });
  EXPECT_NE(e.find("ResNet3dSlowFast expects input [N, C=3, T, H, W], got [3, 8, 16, 16]"),
            std::string::npos)
      << e;
  e = test::error_of([&] { model->cls_head->forward_scores(torch::randn({1, 24, 1, 1, 1}), 1); });
  EXPECT_NE(e.find("SlowFastHead expects two feature maps (slow"), std::string::npos) << e;
  e = test::error_of([&] {
    build(std::string(kSlowFast).replace(std::string(kSlowFast).find("type='resnet3d'"), 15,
                                         "type='bninception'"));
  });
  EXPECT_NE(e.find("Unrecognized pathway type bninception"), std::string::npos) << e;
}

TEST(SlowOnly, MatchesMmaction2Forward) {
  checkpoint::Checkpoint ckpt;
  auto model = loaded(
      "dict(type='Recognizer3D', backbone=dict(type='ResNet3dSlowOnly', depth=50, "
      "pretrained=None, base_channels=4, stage_blocks=(1, 1, 1, 1), lateral=False, "
      "conv1_kernel=(1, 7, 7), conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1), "
      "norm_eval=False))",
      "slowonly_r50", ckpt);
  torch::NoGradGuard no_grad;
  expect_close(model->extract_feat(test3d::entry(ckpt, "input")), test3d::entry(ckpt, "output"),
               "ResNet3dSlowOnly");
}

TEST(SlowOnly, DefaultsAndFullSizeKeys) {
  auto backbone = build(
      "dict(type='ResNet3dSlowOnly', depth=50, pretrained=None, lateral=False, "
      "conv1_kernel=(1, 7, 7), conv1_stride_t=1, pool1_stride_t=1, inflate=(0, 0, 1, 1), "
      "norm_eval=False)");
  test3d::expect_full_size_keys(*backbone, "slowonly_r50");
  // The defaults alone give the same model (no pool2: T stays 4).
  auto plain = std::dynamic_pointer_cast<Backbone>(
      build("dict(type='ResNet3dSlowOnly', depth=50, pretrained=None)"));
  test3d::expect_full_size_keys(*plain, "slowonly_r50");
  EXPECT_EQ(plain->forward_features(torch::randn({1, 3, 4, 32, 32})).back().size(2), 4);
  std::string e = test::error_of(
      [] { build("dict(type='ResNet3dSlowOnly', depth=50, pretrained=None, lateral=True)"); });
  EXPECT_NE(e.find("no lateral connections"), std::string::npos) << e;
}

}  // namespace
}  // namespace tubelet::slowfast_test
