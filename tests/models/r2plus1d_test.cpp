// ResNet2Plus1d and the Conv2plus1d conv layer against MMAction2's own modules (fixtures of
// tools/fixtures/make_3d_model_fixtures.py), full-size key lists, and errors.
#include "fixture_3d.h"
#include "tubelet/models/layers.h"
#include "tubelet/models/recognizers/recognizer3d.h"

namespace tubelet::r2plus1d_test {
namespace {

using test3d::build;

const char* kTiny =
    "dict(type='Recognizer3D', backbone=dict(type='ResNet2Plus1d', depth=18, pretrained=None, "
    "pretrained2d=False, base_channels=2, stage_blocks=(1, 1, 1, 1), norm_eval=False, "
    "conv_cfg=dict(type='Conv2plus1d'), norm_cfg=dict(type='SyncBN', requires_grad=True, "
    "eps=1e-3), conv1_kernel=(3, 7, 7), conv1_stride_t=1, pool1_stride_t=1, "
    "inflate=(1, 1, 1, 1), spatial_strides=(1, 2, 2, 2), temporal_strides=(1, 2, 2, 2), "
    "zero_init_residual=False))";

TEST(ResNet2Plus1d, MatchesMmaction2Forward) {
  auto model = std::dynamic_pointer_cast<Recognizer3DImpl>(build(kTiny));
  ASSERT_TRUE(model);
  auto ckpt = test3d::fixture("r2plus1d_r18");
  test3d::expect_same_state_dict_layout(*model, ckpt.state_dict);
  auto report = checkpoint::load_state_dict(*model, ckpt.state_dict, /*strict=*/true);
  EXPECT_TRUE(report.ok()) << report.message();
  model->eval();
  torch::NoGradGuard no_grad;
  test3d::expect_close(model->extract_feat(test3d::entry(ckpt, "input")),
                       test3d::entry(ckpt, "output"), "ResNet2Plus1d");
}

TEST(ResNet2Plus1d, FullSizeKeysMatchMmaction2) {
  auto backbone = build(
      "dict(type='ResNet2Plus1d', depth=34, pretrained=None, pretrained2d=False, "
      "norm_eval=False, conv_cfg=dict(type='Conv2plus1d'), norm_cfg=dict(type='SyncBN', "
      "requires_grad=True, eps=1e-3), conv1_kernel=(3, 7, 7), conv1_stride_t=1, "
      "pool1_stride_t=1, inflate=(1, 1, 1, 1), spatial_strides=(1, 2, 2, 2), "
      "temporal_strides=(1, 2, 2, 2), zero_init_residual=False)");
  test3d::expect_full_size_keys(*backbone, "r2plus1d_r34");
  // conv1: 3 -> 64 with a 3x7x7 kernel factored through floor(3*3*64*49 / (3*49 + 3*64)) = 83.
  EXPECT_EQ(backbone->named_parameters()["conv1.conv.conv_s.weight"].sizes(),
            (std::vector<int64_t>{83, 3, 1, 7, 7}));
}

TEST(Conv2plus1d, InConvLayersWithMmaction2sChildren) {
  Dict cfg;
  cfg.set("type", Value("Conv2plus1d"));
  ConvLayerArgs args;
  args.in_channels = 4;
  args.out_channels = 6;
  args.kernel_size = {3, 3, 3};
  args.stride = {2, 2, 2};
  args.padding = {1, 1, 1};
  torch::nn::AnyModule conv = build_conv_layer(Value(cfg), args, "test");
  auto params = conv.ptr()->named_parameters();
  // mid = floor(3 * 4 * 6 * 9 / (4 * 9 + 3 * 6)) = 12
  EXPECT_EQ(params["conv_s.weight"].sizes(), (std::vector<int64_t>{12, 4, 1, 3, 3}));
  EXPECT_EQ(params["conv_t.weight"].sizes(), (std::vector<int64_t>{6, 12, 3, 1, 1}));
  EXPECT_TRUE(params.contains("bn_s.weight"));
  EXPECT_TRUE(params.contains("conv_s.bias"));
  EXPECT_EQ(conv.forward(torch::randn({1, 4, 4, 8, 8})).sizes(),
            (std::vector<int64_t>{1, 6, 2, 4, 4}));
}

TEST(ResNet2Plus1d, Errors) {
  std::string e = test::error_of([] {
    build(
        "dict(type='ResNet2Plus1d', depth=18, pretrained=None, conv_cfg=dict(type='Conv2plus1d'))");
  });
  EXPECT_NE(e.find("pretrained2d=False"), std::string::npos) << e;
  e = test::error_of(
      [] { build("dict(type='ResNet2Plus1d', depth=18, pretrained=None, pretrained2d=False)"); });
  EXPECT_NE(e.find("conv_cfg=dict(type='Conv2plus1d')"), std::string::npos) << e;
  auto model = std::dynamic_pointer_cast<Recognizer3DImpl>(build(kTiny));
  e = test::error_of([&] { model->backbone->forward_features(torch::randn({2, 3, 8, 16})); });
  EXPECT_NE(e.find("ResNet2Plus1d expects input [N, C=3, T, H, W], got [2, 3, 8, 16]"),
            std::string::npos)
      << e;
}

}  // namespace
}  // namespace tubelet::r2plus1d_test
