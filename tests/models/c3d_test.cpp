// C3D: MMAction2's names, size and output on a 16x112x112 clip.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/recognizers/recognizer3d.h"

namespace tubelet::c3d_test {
namespace {

TEST(C3D, SportsOneMillionLayout) {
  torch::manual_seed(0);
  auto cfg = load_config_text(
      "model = dict(type='Recognizer3D', backbone=dict(type='C3D', pretrained=None, "
      "style='pytorch', conv_cfg=dict(type='Conv3d'), norm_cfg=None, act_cfg=dict(type='ReLU'), "
      "dropout_ratio=0.5, init_std=0.005), cls_head=dict(type='I3DHead', num_classes=101, "
      "in_channels=4096, spatial_type=None, dropout_ratio=0.5, init_std=0.01), "
      "test_cfg=dict(average_clips='score'))\n",
      "/tmp/c3d.py");
  auto model = std::dynamic_pointer_cast<Recognizer3DImpl>(build_model(cfg.at("model")));
  ASSERT_TRUE(model);
  int64_t n = 0;
  for (const auto& p : model->parameters()) n += p.numel();
  EXPECT_EQ(n, 78409573);  // C3D with a 101-class classifier
  auto params = model->named_parameters();
  EXPECT_TRUE(params.contains("backbone.conv5b.conv.bias"));
  EXPECT_EQ(params["backbone.fc6.weight"].sizes(), (std::vector<int64_t>{4096, 8192}));
  model->eval();
  torch::NoGradGuard no_grad;
  EXPECT_EQ(model->forward_test(torch::randn({1, 1, 3, 16, 112, 112})).sizes(),
            (std::vector<int64_t>{1, 101}));
}

}  // namespace
}  // namespace tubelet::c3d_test
