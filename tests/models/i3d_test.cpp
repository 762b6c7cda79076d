// ResNet3d, I3DHead and Recognizer3D: shapes, names, and MMAction2's forward pass on the
// golden I3D model when ../shared is there.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/recognizers/recognizer3d.h"

namespace tubelet::i3d_test {
namespace {

std::shared_ptr<torch::nn::Module> build(const std::string& model_text) {
  return build_model(load_config_text("model = " + model_text + "\n", "/tmp/i3d.py").at("model"));
}

const char* kI3dR18 =
    "dict(type='Recognizer3D', backbone=dict(type='ResNet3d', pretrained2d=False, "
    "pretrained=None, depth=18, base_channels=8, conv1_kernel=(5, 7, 7), conv1_stride_t=2, "
    "pool1_stride_t=2, conv_cfg=dict(type='Conv3d'), norm_eval=False, "
    "inflate=((1, 1), (1, 0), (1, 0), (0, 1)), zero_init_residual=False), "
    "cls_head=dict(type='I3DHead', num_classes=5, in_channels=64, spatial_type='avg', "
    "dropout_ratio=0.5, init_std=0.01), train_cfg=None, test_cfg=dict(average_clips='prob'))";

TEST(ResNet3d, I3dR50KeysAndShapes) {
  auto r = build(
      "dict(type='ResNet3d', depth=50, pretrained=None, conv1_kernel=(5, 7, 7), "
      "conv1_stride_t=2, pool1_stride_t=2, inflate=((1, 1, 1), (1, 0, 1, 0), "
      "(1, 0, 1, 0, 1, 0), (0, 1, 0)))");
  auto params = r->named_parameters();
  EXPECT_EQ(params["conv1.conv.weight"].sizes(), (std::vector<int64_t>{64, 3, 5, 7, 7}));
  EXPECT_EQ(params["layer1.0.conv1.conv.weight"].sizes(), (std::vector<int64_t>{64, 64, 3, 1, 1}));
  EXPECT_EQ(params["layer2.1.conv1.conv.weight"].sizes(),
            (std::vector<int64_t>{128, 512, 1, 1, 1}));
  EXPECT_EQ(params["layer4.0.conv2.conv.weight"].sizes(),
            (std::vector<int64_t>{512, 512, 1, 3, 3}));
  EXPECT_EQ(params["layer1.0.downsample.conv.weight"].sizes(),
            (std::vector<int64_t>{256, 64, 1, 1, 1}));
  // zero_init_residual (default True) zeroes the last norm of each block.
  EXPECT_EQ(params["layer1.0.conv3.bn.weight"].abs().sum().item<double>(), 0.0);
  auto out =
      std::dynamic_pointer_cast<Backbone>(r)->forward_features(torch::randn({1, 3, 8, 64, 64}));
  // T: 8 -> 4 (conv1 stride 2) -> 2 (pool1 stride 2) -> 1 (pool2).
  EXPECT_EQ(out.back().sizes(), (std::vector<int64_t>{1, 2048, 1, 2, 2}));
}

TEST(Recognizer3D, AveragesClipsOfAVideo) {
  auto model = std::dynamic_pointer_cast<Recognizer3DImpl>(build(kI3dR18));
  ASSERT_TRUE(model);
  model->eval();
  auto probs = model->forward_test(torch::randn({2, 3, 3, 8, 32, 32}));
  EXPECT_EQ(probs.sizes(), (std::vector<int64_t>{2, 5}));
  EXPECT_TRUE(torch::allclose(probs.sum(1), torch::ones({2})));
}

TEST(Recognizer3DGolden, I3dR18MatchesMmaction2Forward) {
  TUBELET_REQUIRE_SHARED();
  auto file = test::shared_dir() / "golden/forward/i3d_r18_bc8.pth";
  auto ckpt = checkpoint::load_checkpoint(file.string());
  auto model = std::dynamic_pointer_cast<Recognizer3DImpl>(build(kI3dR18));
  auto report = checkpoint::load_state_dict(*model, ckpt.state_dict, /*strict=*/true);
  EXPECT_TRUE(report.ok()) << report.message();
  model->eval();
  auto tensor = [&](const char* key) { return ckpt.raw.root->get(key)->tensor; };
  torch::NoGradGuard no_grad;
  torch::Tensor input = tensor("input");
  EXPECT_TRUE(torch::allclose(model->forward_test(input), tensor("output"), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(model->forward_dummy(input), tensor("cls_score"), 1e-4, 1e-5));
  torch::Tensor clips = input.reshape({-1, 3, 8, 64, 64});
  EXPECT_TRUE(torch::allclose(model->extract_feat(clips), tensor("backbone_feat"), 1e-4, 1e-4));
}

}  // namespace
}  // namespace tubelet::i3d_test
