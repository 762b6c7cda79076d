// ResNet3dCSN (ip and ir bottlenecks) against MMAction2's own module (fixtures of
// tools/fixtures/make_3d_model_fixtures.py), full-size key lists, and errors.
#include "fixture_3d.h"
#include "tubelet/models/backbones/resnet3d_csn.h"
#include "tubelet/models/recognizers/recognizer3d.h"

namespace tubelet::csn_test {
namespace {

using test3d::build;

std::string tiny_csn(const std::string& mode) {
  return "dict(type='Recognizer3D', backbone=dict(type='ResNet3dCSN', pretrained2d=False, "
         "pretrained=None, depth=50, base_channels=4, stage_blocks=(1, 1, 1, 1), "
         "with_pool2=False, bottleneck_mode='" +
         mode + "', norm_eval=False, zero_init_residual=False))";
}

void expect_matches_fixture(const std::string& mode) {
  auto model = std::dynamic_pointer_cast<Recognizer3DImpl>(build(tiny_csn(mode)));
  ASSERT_TRUE(model);
  auto ckpt = test3d::fixture(mode + "csn_r50");
  test3d::expect_same_state_dict_layout(*model, ckpt.state_dict);
  auto report = checkpoint::load_state_dict(*model, ckpt.state_dict, /*strict=*/true);
  EXPECT_TRUE(report.ok()) << report.message();
  model->eval();
  torch::NoGradGuard no_grad;
  test3d::expect_close(model->extract_feat(test3d::entry(ckpt, "input")),
                       test3d::entry(ckpt, "output"), mode + "CSN");
}

TEST(ResNet3dCSN, IrMatchesMmaction2Forward) {
  expect_matches_fixture("ir");
}
TEST(ResNet3dCSN, IpMatchesMmaction2Forward) {
  expect_matches_fixture("ip");
}

TEST(ResNet3dCSN, FullSizeKeysMatchMmaction2) {
  auto ir = build(
      "dict(type='ResNet3dCSN', pretrained2d=False, pretrained=None, depth=152, "
      "with_pool2=False, bottleneck_mode='ir', norm_eval=False, zero_init_residual=False)");
  test3d::expect_full_size_keys(*ir, "ircsn_r152");
  auto ip = build(
      "dict(type='ResNet3dCSN', pretrained2d=False, pretrained=None, depth=50, "
      "with_pool2=False, bottleneck_mode='ip', norm_eval=True, bn_frozen=True, "
      "zero_init_residual=False)");
  test3d::expect_full_size_keys(*ip, "ipcsn_r50");
  auto params = ip->named_parameters();
  // ip: a 1x1x1 conv, then the depthwise 3x3x3 conv (one input channel per group).
  EXPECT_EQ(params["layer1.0.conv2.0.conv.weight"].sizes(),
            (std::vector<int64_t>{64, 64, 1, 1, 1}));
  EXPECT_EQ(params["layer1.0.conv2.1.conv.weight"].sizes(), (std::vector<int64_t>{64, 1, 3, 3, 3}));
  // bn_frozen with norm_eval: norms are in eval mode and frozen once train() is called.
  ip->train();
  EXPECT_FALSE(params["layer1.0.conv2.1.bn.weight"].requires_grad());
  EXPECT_TRUE(params["layer1.0.conv2.1.conv.weight"].requires_grad());
}

TEST(ResNet3dCSN, DefaultsAreCsns) {
  auto csn = std::dynamic_pointer_cast<ResNet3dImpl>(
      build("dict(type='ResNet3dCSN', depth=50, pretrained=None)"));
  ASSERT_TRUE(csn);
  EXPECT_EQ(csn->options.temporal_strides(), (std::vector<int64_t>{1, 2, 2, 2}));
  EXPECT_EQ(csn->options.inflate_style(), "3x3x3");
  EXPECT_EQ(csn->options.bottleneck_mode(), "ir");
  auto modules = csn->named_modules();
  auto* bn = modules["layer1.0.conv2.0.bn"]->as<torch::nn::BatchNorm3d>();
  ASSERT_TRUE(bn);
  EXPECT_DOUBLE_EQ(bn->options.eps(), 1e-3);
}

TEST(ResNet3dCSN, Errors) {
  std::string e = test::error_of(
      [] { build("dict(type='ResNet3dCSN', depth=50, pretrained=None, bottleneck_mode='xx')"); });
  EXPECT_NE(e.find("Bottleneck mode must be \"ip\" or \"ir\""), std::string::npos) << e;
  e = test::error_of([] { build("dict(type='ResNet3dCSN', depth=18, pretrained=None)"); });
  EXPECT_NE(e.find("invalid depth 18"), std::string::npos) << e;
  auto csn = std::dynamic_pointer_cast<Backbone>(
      build("dict(type='ResNet3dCSN', depth=50, pretrained=None, base_channels=4, "
            "stage_blocks=(1, 1, 1, 1))"));
  e = test::error_of([&] { csn->forward_features(torch::randn({1, 1, 8, 16, 16})); });
  EXPECT_NE(e.find("expects input [N, C=3, T, H, W], got [1, 1, 8, 16, 16]"), std::string::npos)
      << e;
}

}  // namespace
}  // namespace tubelet::csn_test
