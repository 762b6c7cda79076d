// inference_recognizer's views in chunks (InferenceOptions::view_chunk, test_cfg's
// max_testing_views) give the scores of one pass over all views: TSN (views independent) and
// TSM (views shifted within a clip's segments, so chunks keep whole clips), on a short video
// encoded here. Also the default chunk's arithmetic, and what the model is left with.
// Needs TUBELET_WITH_MEDIA: it decodes a video through the test pipeline.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/apis/inference.h"
#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/recognizers/base_recognizer.h"
#include "tubelet/synthetic/motion_dataset.h"

namespace tubelet::inference_chunking_test {
namespace {

namespace fs = std::filesystem;

// 3 clips x TenCrop = 30 views of 32x32 through a ResNet-18; `extra` adds to the model dict.
std::string config_text(const std::string& backbone, const std::string& head,
                        const std::string& test_cfg) {
  return "model = dict(type='Recognizer2D', backbone=" + backbone + ", cls_head=" + head +
         ", test_cfg=" + test_cfg + R"()
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
data = dict(test=dict(type='VideoDataset', ann_file=None, data_prefix=None, pipeline=[
    dict(type='OpenCVInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=3, test_mode=True),
    dict(type='OpenCVDecode'),
    dict(type='Resize', scale=(-1, 40)),
    dict(type='TenCrop', crop_size=32),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs'])]))
)";
}

const char* kResNet = "dict(type='ResNet', depth=18, pretrained=None)";
const char* kTsnHead =
    "dict(type='TSNHead', num_classes=7, in_channels=512, dropout_ratio=0.0, "
    "consensus=dict(type='AvgConsensus', dim=1))";
const char* kResNetTsm = "dict(type='ResNetTSM', depth=18, pretrained=None, num_segments=3)";
const char* kTsmHead =
    "dict(type='TSMHead', num_classes=7, in_channels=512, num_segments=3, dropout_ratio=0.0, "
    "is_shift=True, consensus=dict(type='AvgConsensus', dim=1))";

// A 16-frame 64x64 video of the synthetic motion set, once per test binary run.
const fs::path& video() {
  static test::TempDir dir;
  static fs::path path;
  if (path.empty()) {
    const std::string ffmpeg = synthetic::find_executable("ffmpeg");
    if (ffmpeg.empty()) return path;
    auto frames = synthetic::render_clip(synthetic::sample_clip(1, 0, 0, 64, 16));
    synthetic::encode_mp4(frames, dir.path() / "clip.mp4", ffmpeg, synthetic::pick_encoder(ffmpeg),
                          10);
    path = dir.path() / "clip.mp4";
  }
  return path;
}

#define REQUIRE_VIDEO()                                                    \
  do {                                                                     \
    if (video().empty()) GTEST_SKIP() << "ffmpeg is not on PATH: skipped"; \
  } while (0)

// Batch norms with statistics and affine parameters far from 1/0, so that every view's
// features depend on the weights in a way chunking could get wrong.
void randomize(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (auto& item : model.named_buffers()) {
    if (item.key().find("running_var") != std::string::npos)
      item.value().uniform_(0.5, 2.0);
    else if (item.key().find("running_mean") != std::string::npos)
      item.value().normal_(0, 0.2);
  }
  for (auto& item : model.named_parameters())
    if (item.key().find(".bn.") != std::string::npos) item.value().uniform_(0.5, 1.5);
}

struct Built {
  Dict cfg;
  std::shared_ptr<torch::nn::Module> model;
  BaseRecognizerImpl* recognizer = nullptr;
};

Built build(const std::string& text) {
  Built b;
  b.cfg = load_config_text(text, "/tmp/inference_chunking.py");
  torch::manual_seed(0);
  b.model = build_model(b.cfg.at("model"), "model");
  randomize(*b.model);
  b.model->eval();
  b.recognizer = dynamic_cast<BaseRecognizerImpl*>(b.model.get());
  return b;
}

torch::Tensor scores(Built& b, std::optional<int64_t> chunk) {
  InferenceOptions options;
  options.view_chunk = chunk;
  return inference_recognizer(*b.model, b.cfg, video().string(), options);
}

void expect_close(const torch::Tensor& a, const torch::Tensor& b, const std::string& what) {
  ASSERT_EQ(a.sizes(), b.sizes()) << what;
  EXPECT_TRUE(torch::allclose(a, b, test::kFloat32RelTol, test::kFloat32AbsTol))
      << what << ": max |diff| " << (a - b).abs().max().item<double>();
}

TEST(InferenceChunks, TsnChunksGiveOnePassScores) {
  REQUIRE_VIDEO();
  Built b = build(config_text(kResNet, kTsnHead, "dict(average_clips=None)"));
  const torch::Tensor one_pass = scores(b, 0);
  ASSERT_EQ(one_pass.sizes(), torch::IntArrayRef({7}));
  for (int64_t chunk : {1, 4, 7, 29, 30, 100})
    expect_close(scores(b, chunk), one_pass, "view_chunk " + std::to_string(chunk));
  expect_close(scores(b, std::nullopt), one_pass, "the default chunk");
  // The caller's setting is for that call only.
  EXPECT_FALSE(b.recognizer->view_chunk.has_value());
}

TEST(InferenceChunks, MaxTestingViewsChunksAndOverridesTheCallersChunk) {
  REQUIRE_VIDEO();
  Built all = build(config_text(kResNet, kTsnHead, "dict(average_clips='prob')"));
  Built chunked =
      build(config_text(kResNet, kTsnHead, "dict(average_clips='prob', max_testing_views=4)"));
  ASSERT_EQ(chunked.recognizer->test_cfg.max_testing_views, 4);
  EXPECT_EQ(chunked.recognizer->test_views_per_pass(), 4);
  chunked.recognizer->view_chunk = 9;  // max_testing_views wins
  EXPECT_EQ(chunked.recognizer->test_views_per_pass(), 4);
  chunked.recognizer->view_chunk.reset();
  expect_close(scores(chunked, 0), scores(all, 0), "max_testing_views=4");
  EXPECT_NE(test::error_of([] {
              build(config_text(kResNet, kTsnHead, "dict(max_testing_views=0)"));
            }).find("max_testing_views must be a positive int"),
            std::string::npos);
}

TEST(InferenceChunks, TsmChunksKeepEachClipsSegmentsTogether) {
  REQUIRE_VIDEO();
  Built b = build(config_text(kResNetTsm, kTsmHead, "dict(average_clips='score')"));
  EXPECT_EQ(backbone_view_group(*b.recognizer->backbone), 3);
  const torch::Tensor one_pass = scores(b, 0);
  // 4 and 8 round down to 3 and 6 views (one and two clips); 2 is under a clip: one pass.
  for (int64_t chunk : {2, 3, 4, 8})
    expect_close(scores(b, chunk), one_pass, "view_chunk " + std::to_string(chunk));
}

TEST(InferenceChunks, OnlyKnownBackbonesAreSplit) {
  Built tsn = build(config_text(kResNet, kTsnHead, "None"));
  EXPECT_EQ(backbone_view_group(*tsn.recognizer->backbone), 1);
}

TEST(InferenceChunks, DefaultChunkKeepsAPassNearTheBudget) {
  // TSN's 25 clips x TenCrop at 224x224: 13 views of 16 x 588 KiB in 128 MiB.
  EXPECT_EQ(default_view_chunk(torch::empty({1, 250, 3, 224, 224})), 13);
  EXPECT_EQ(default_view_chunk(torch::empty({1, 250, 3, 224, 224}), int64_t{256} << 20), 27);
  // A 3D clip of 3x32x224x224 (18 MiB) is over the budget alone: one per pass.
  EXPECT_EQ(default_view_chunk(torch::empty({1, 10, 3, 32, 224, 224})), 1);
  EXPECT_EQ(default_view_chunk(torch::empty({0})), 1);
}

TEST(InferenceChunks, NegativeChunkIsAnError) {
  REQUIRE_VIDEO();
  Built b = build(config_text(kResNet, kTsnHead, "None"));
  EXPECT_NE(test::error_of([&] { scores(b, -1); }).find("view_chunk must be 0"), std::string::npos);
  EXPECT_FALSE(b.recognizer->view_chunk.has_value());
}

TEST(InferenceChunks, PreparedModelGivesTheSameTopClasses) {
  REQUIRE_VIDEO();
  Built plain = build(config_text(kResNet, kTsnHead, "None"));
  Built prepared = build(config_text(kResNet, kTsnHead, "None"));
  EXPECT_EQ(prepare_for_inference(*prepared.model, prepared.cfg),
            "20 batch norms folded into convs, 2D convs channels-last");
  const torch::Tensor expected = scores(plain, 0), got = scores(prepared, std::nullopt);
  EXPECT_TRUE(torch::allclose(got, expected, 1e-4, 1e-5))
      << "max |diff| " << (got - expected).abs().max().item<double>();
  auto classes = [](const torch::Tensor& s) {
    std::vector<int64_t> out;
    for (const auto& [index, score] : top_k(s, 5)) out.push_back(index);
    return out;
  };
  EXPECT_EQ(classes(got), classes(expected));
}

TEST(InferenceChunks, ChannelsLastFollowsTheConfigElseTheDevice) {
  Dict none, off, on;
  off.set("channels_last", Value(false));
  on.set("channels_last", Value(true));
  EXPECT_TRUE(inference_channels_last(none, torch::kCPU));
  EXPECT_FALSE(inference_channels_last(none, torch::Device(torch::kCUDA, 0)));
  EXPECT_FALSE(inference_channels_last(off, torch::kCPU));
  EXPECT_TRUE(inference_channels_last(on, torch::Device(torch::kCUDA, 0)));
}

}  // namespace
}  // namespace tubelet::inference_chunking_test
