// ResNet3d's non_local / non_local_cfg: NonLocal3d blocks after the chosen residual blocks,
// under MMAction2's keys (layerN.M.non_local_block.*).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/models/backbone.h"
#include "tubelet/models/builder.h"

namespace tubelet::resnet3d_non_local_test {
namespace {

std::shared_ptr<torch::nn::Module> backbone(const std::string& extra) {
  Value cfg =
      load_config_text(
          "b = dict(type='ResNet3d', depth=18, pretrained=None, base_channels=8, "
          "num_stages=2, out_indices=(1,), spatial_strides=(1, 2), temporal_strides=(1, 1), "
          "dilations=(1, 1), " +
              extra + ")\n",
          "/tmp/nl.py")
          .at("b");
  return build_model(cfg, "backbone");
}

TEST(ResNet3dNonLocal, BlocksGetNonLocalModulesUnderMmaction2Keys) {
  auto m = backbone(
      "non_local=((0, 0), (0, 1)), non_local_cfg=dict(sub_sample=True, use_scale=False, "
      "norm_cfg=dict(type='BN3d', requires_grad=True), mode='embedded_gaussian')");
  auto params = m->named_parameters();
  EXPECT_TRUE(params.contains("layer2.1.non_local_block.g.0.conv.weight"));
  EXPECT_TRUE(params.contains("layer2.1.non_local_block.conv_out.bn.weight"));
  EXPECT_EQ(params["layer2.1.non_local_block.theta.conv.weight"].sizes(),
            torch::IntArrayRef({8, 16, 1, 1, 1}));
  for (const auto& p : params) EXPECT_EQ(p.key().find("layer1.0.non_local"), std::string::npos);
  m->eval();
  auto x = torch::randn({1, 3, 4, 16, 16});
  auto feats = std::dynamic_pointer_cast<Backbone>(m)->forward_features(x);
  EXPECT_EQ(feats.back().sizes(), torch::IntArrayRef({1, 16, 2, 2, 2}));
}

TEST(ResNet3dNonLocal, BadSettingsAreClearErrors) {
  EXPECT_NE(test::error_of([] {
              backbone("non_local=((0, 0), (1, 1, 1))");
            }).find("non_local needs one entry per block (2)"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              backbone("non_local=((0,), (1,)), non_local_cfg=dict(mode='cosine')");
            }).find("mode"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::resnet3d_non_local_test
