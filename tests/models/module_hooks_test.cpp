// module_hooks and GPUNormalize: uint8 frames normalized by the model give the scores the
// pipeline's Normalize would, hooks are attached only where Tubelet can run them, and the
// errors say which entry is wrong.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/module_hook.h"
#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet::module_hooks_test {
namespace {

const char* kTsn =
    "model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, pretrained=None, "
    "norm_eval=False), cls_head=dict(type='TSNHead', num_classes=5, in_channels=512, "
    "consensus=dict(type='AvgConsensus', dim=1)))\n";

Dict config(const std::string& hooks) {
  return load_config_text(std::string(kTsn) + "module_hooks = " + hooks + "\n", "/tmp/hooks.py");
}

const std::string kNormalize =
    "[dict(type='GPUNormalize', hooked_module='backbone', hook_pos='forward_pre', "
    "input_format='NCHW', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375])]";

TEST(ModuleHooks, GPUNormalizeGivesThePipelinesScores) {
  Dict cfg = config(kNormalize);
  torch::manual_seed(0);
  auto hooked = build_model(cfg.at("model"));
  torch::manual_seed(0);
  auto plain = build_model(cfg.at("model"));
  register_module_hooks(*hooked, cfg.at("module_hooks"));
  hooked->eval();
  plain->eval();
  auto& h = dynamic_cast<BaseRecognizerImpl&>(*hooked);
  auto& p = dynamic_cast<BaseRecognizerImpl&>(*plain);
  ASSERT_EQ(h.backbone_pre_hooks.size(), 1u);
  // 2 videos x 3 segments of 3x32x32 uint8 frames.
  auto frames = torch::randint(0, 256, {2, 3, 3, 32, 32}, torch::kUInt8);
  auto mean = torch::tensor({123.675, 116.28, 103.53}, torch::kFloat32).view({1, 1, 3, 1, 1});
  auto std = torch::tensor({58.395, 57.12, 57.375}, torch::kFloat32).view({1, 1, 3, 1, 1});
  torch::NoGradGuard no_grad;
  auto expected = p.forward_test((frames.to(torch::kFloat32) - mean) / std);
  EXPECT_TRUE(torch::equal(h.forward_test(frames), expected));
  // The hook itself: (x - mean) / std per channel, in float32.
  auto x = torch::randint(0, 256, {4, 3, 2, 2}, torch::kUInt8);
  auto y = h.backbone_pre_hooks[0]->forward_pre(x);
  EXPECT_EQ(y.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(
      torch::equal(y, (x.to(torch::kFloat32) - mean.view({1, 3, 1, 1})) / std.view({1, 3, 1, 1})));
}

TEST(ModuleHooks, ErrorsNameTheEntry) {
  auto attach = [](const std::string& hooks) {
    Dict cfg = config(hooks);
    auto model = build_model(cfg.at("model"));
    register_module_hooks(*model, cfg.at("module_hooks"));
    return model;
  };
  EXPECT_NE(test::error_of([&] {
              attach(
                  "[dict(type='GPUNormalize', hooked_module='cls_head', input_format='NCHW', "
                  "mean=[1], std=[1])]");
            }).find("module_hooks[0]: hooked_module 'cls_head'"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              attach(
                  "[dict(type='GPUNormalize', hook_pos='backward', input_format='NCHW', "
                  "mean=[1], std=[1])]");
            }).find("hook_pos 'backward'"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              attach("[dict(type='GPUNormalize', input_format='NTCHW', mean=[1], std=[1])]");
            }).find("The input format NTCHW is invalid"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] { attach("[dict(type='GPUNormalise')]"); }).find("GPUNormalize"),
            std::string::npos);
  // A float input means Normalize already ran in the pipeline.
  auto model = attach(kNormalize);
  model->eval();
  torch::NoGradGuard no_grad;
  EXPECT_NE(
      test::error_of([&] {
        dynamic_cast<BaseRecognizerImpl&>(*model).forward_test(torch::zeros({1, 1, 3, 32, 32}));
      }).find("should use uint8 data type"),
      std::string::npos);
}

}  // namespace
}  // namespace tubelet::module_hooks_test
