// Temporal Shift Module: the shift itself, and ResNetTSM/TSMHead built from configs.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "tubelet/config/config.h"
#include "tubelet/models/backbones/resnet_tsm.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/recognizers/recognizer2d.h"

namespace tubelet::tsm_test {
namespace {

TEST(TemporalShift, MovesOneFoldBackAndOneForward) {
  // 1 video, 3 segments, 4 channels, 1x1: value = 10 * segment + channel.
  auto x = torch::zeros({3, 4, 1, 1});
  for (int s = 0; s < 3; ++s)
    for (int c = 0; c < 4; ++c) x[s][c][0][0] = 10 * s + c;
  auto y = TemporalShiftImpl::shift(x, 3, 4).view({3, 4});  // fold = 1 channel
  // channel 0 takes the next segment (zero at the end), channel 1 the previous one (zero at
  // the start), the rest stay.
  auto expected =
      torch::tensor({{10.f, 0.f, 2.f, 3.f}, {20.f, 1.f, 12.f, 13.f}, {0.f, 11.f, 22.f, 23.f}});
  EXPECT_TRUE(torch::equal(y, expected)) << y;
}

TEST(ResNetTSM, ShiftsTheFirstConvOfEveryBlock) {
  auto cfg = load_config_text(
      "model = dict(type='ResNetTSM', depth=18, num_segments=4, shift_div=8)\n", "/tmp/t.py");
  auto m = build_model(cfg.at("model"));
  auto params = m->named_parameters();
  EXPECT_TRUE(params.contains("layer1.0.conv1.conv.net.weight"));
  EXPECT_TRUE(params.contains("layer4.1.conv1.conv.net.weight"));
  EXPECT_TRUE(params.contains("layer1.0.conv2.conv.weight"));
  auto out = std::dynamic_pointer_cast<ResNetImpl>(m)->forward(torch::randn({8, 3, 32, 32}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{8, 512, 1, 1}));
  auto error = [](const std::string& extra) {
    try {
      build_model(
          load_config_text("model = dict(type='ResNetTSM', depth=18" + extra + ")\n", "/tmp/t.py")
              .at("model"));
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // shift_place='block', temporal_pool and non-local blocks: tsm_extras_test.cpp.
  EXPECT_NE(error(", shift_place='grouped'").find("shift_place"), std::string::npos);
}

TEST(TSMHead, AveragesFrameScoresOverItsSegments) {
  auto cfg = load_config_text(
      "model = dict(type='Recognizer2D', backbone=dict(type='ResNetTSM', depth=18, "
      "num_segments=4), cls_head=dict(type='TSMHead', num_classes=3, in_channels=512, "
      "num_segments=4), test_cfg=dict(average_clips='prob'))\n",
      "/tmp/t.py");
  auto model = std::dynamic_pointer_cast<Recognizer2DImpl>(build_model(cfg.at("model")));
  model->eval();
  auto scores = model->forward_test(torch::randn({2, 4, 3, 32, 32}));
  EXPECT_EQ(scores.sizes(), (std::vector<int64_t>{2, 3}));
  // Two clips of 4 frames per video (8 segments): the head splits them, averaging merges.
  auto two_clips = model->forward_test(torch::randn({1, 8, 3, 32, 32}));
  EXPECT_EQ(two_clips.sizes(), (std::vector<int64_t>{1, 3}));
}

}  // namespace
}  // namespace tubelet::tsm_test
