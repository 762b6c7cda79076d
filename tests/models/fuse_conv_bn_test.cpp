// fuse_conv_bn: batch norms folded into the convs before them give the unfused outputs (2D
// and 3D ResNets, NCHW and channels-last), leave what they cannot fold alone, refuse a model
// in training mode, and draw nothing from the global generator.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/common/conv_module.h"
#include "tubelet/models/fuse_conv_bn.h"
#include "tubelet/models/memory_format.h"

namespace tubelet::fuse_conv_bn_test {
namespace {

std::shared_ptr<torch::nn::Module> build(const std::string& model) {
  Dict cfg = load_config_text("model = " + model + "\n", "/tmp/fuse_conv_bn.py");
  torch::manual_seed(0);
  auto m = build_model(cfg.at("model"), "model");
  // Statistics and affine parameters far from a fresh model's 0/1, so the fold has work.
  torch::NoGradGuard no_grad;
  for (auto& item : m->named_buffers()) {
    if (item.key().find("running_var") != std::string::npos) item.value().uniform_(0.5, 2.0);
    if (item.key().find("running_mean") != std::string::npos) item.value().normal_(0, 0.2);
  }
  for (auto& item : m->named_parameters())
    if (item.key().find(".bn.") != std::string::npos) item.value().uniform_(0.5, 1.5);
  m->eval();
  return m;
}

torch::Tensor features(torch::nn::Module& backbone, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  return dynamic_cast<Backbone&>(backbone).forward_features(x).back();
}

// The fold changes the rounding, not the numbers: float32 through 20 layers.
void expect_same(const torch::Tensor& fused, const torch::Tensor& plain) {
  ASSERT_EQ(fused.sizes(), plain.sizes());
  const double scale = plain.abs().max().item<double>();
  EXPECT_LE((fused - plain).abs().max().item<double>(), 1e-4 * scale + 1e-6)
      << "max |diff| " << (fused - plain).abs().max().item<double>() << " of " << scale;
}

TEST(FuseConvBn, ResNet18FoldedEqualsUnfused) {
  const std::string cfg = "dict(type='ResNet', depth=18, pretrained=None)";
  auto plain = build(cfg), fused = build(cfg);
  const torch::Tensor x = torch::randn({2, 3, 48, 48});
  EXPECT_EQ(fuse_conv_bn(*fused), 20);  // the stem, 2 per block, 3 downsamples
  expect_same(features(*fused, x), features(*plain, x));
  EXPECT_EQ(fuse_conv_bn(*fused), 0) << "a second call finds nothing left to fold";
  // The folded conv sits where the checkpoint's conv was, now with a bias.
  auto params = fused->named_parameters();
  ASSERT_NE(params.find("conv1.conv.bias"), nullptr);
  EXPECT_NE(params.find("conv1.bn.weight"), nullptr) << "the norm stays registered";
}

TEST(FuseConvBn, ChannelsLastWeightsKeepTheirLayout) {
  const std::string cfg = "dict(type='ResNet', depth=18, pretrained=None)";
  auto plain = build(cfg), fused = build(cfg);
  to_channels_last(*fused);
  fuse_conv_bn(*fused);
  auto w = fused->named_parameters().find("layer1.0.conv1.conv.weight");
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->is_contiguous(torch::MemoryFormat::ChannelsLast));
  const torch::Tensor x = torch::randn({2, 3, 48, 48});
  expect_same(features(*fused, x).contiguous(), features(*plain, x));
}

TEST(FuseConvBn, ResNet3dFoldedEqualsUnfused) {
  const std::string cfg =
      "dict(type='ResNet3d', depth=18, pretrained=None, pretrained2d=False, "
      "conv_cfg=dict(type='Conv3d'), norm_cfg=dict(type='BN3d'))";
  auto plain = build(cfg), fused = build(cfg);
  const torch::Tensor x = torch::randn({1, 3, 4, 32, 32});
  EXPECT_GT(fuse_conv_bn(*fused), 0);
  expect_same(features(*fused, x), features(*plain, x));
}

TEST(FuseConvBn, LeavesWhatItCannotFold) {
  // Norm before conv, and GroupNorm: nothing to fold.
  ConvModuleOptions pre(4, 8, {3});
  pre.norm_cfg(load_config_text("n = dict(type='BN')\n", "/tmp/n.py").at("n"))
      .order({"norm", "conv", "act"});
  ConvModule norm_first(pre);
  norm_first->eval();
  EXPECT_EQ(fuse_conv_bn(*norm_first), 0);
  ConvModuleOptions gn(4, 8, {3});
  gn.norm_cfg(load_config_text("n = dict(type='GN', num_groups=2)\n", "/tmp/n.py").at("n"));
  ConvModule group_norm(gn);
  group_norm->eval();
  EXPECT_EQ(fuse_conv_bn(*group_norm), 0);
}

TEST(FuseConvBn, RefusesATrainingModelAndDrawsNothing) {
  auto m = build("dict(type='ResNet', depth=18, pretrained=None)");
  m->train();
  EXPECT_NE(test::error_of([&] { fuse_conv_bn(*m); }).find("eval mode"), std::string::npos);
  m->eval();
  torch::manual_seed(3);
  fuse_conv_bn(*m);
  const torch::Tensor after = torch::rand({4});
  torch::manual_seed(3);
  EXPECT_TRUE(torch::equal(after, torch::rand({4})));
}

}  // namespace
}  // namespace tubelet::fuse_conv_bn_test
