// Sliding-window recognition (apis/stream.h): window and stride parsing; the demos' window
// pipeline; the windows' frames, time spans and counts for a stride on a video encoded here
// and on MMAction2's test.mp4; a live UDP stream from ffmpeg with a slow predictor, which
// must drop (and count) frames while holding no more than the window and the queue; the
// window longer than the video; and the default predictor over a model, which must give the
// scores inference_recognizer gives for the same frames.
// Needs TUBELET_WITH_MEDIA: it decodes videos and runs a pipeline.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <chrono>
#include <thread>

#include "support/ffmpeg_process.h"
#include "support/paths.h"
#include "tubelet/apis/inference.h"
#include "tubelet/apis/stream.h"
#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"

namespace tubelet::stream_test {
namespace {

namespace fs = std::filesystem;

// `frames` frames of 64x48 at 25 fps, made once per length and test binary run.
fs::path video_of(int frames) {
  static test::TempDir dir;
  const fs::path path = dir.path() / ("clip" + std::to_string(frames) + ".mp4");
  if (!fs::exists(path)) test::encode_test_video(path, frames, 64, 48, 25);
  return path;
}

// Scores that record the window: class 0 scores the number of frames it got.
WindowPredictor counting_predictor(std::vector<size_t>* sizes = nullptr) {
  return [sizes](const std::vector<cv::Mat>& frames) {
    if (sizes) sizes->push_back(frames.size());
    return torch::tensor({static_cast<double>(frames.size()), 0.5, 0.25});
  };
}

StreamOptions options_of(const std::string& window, const std::string& stride) {
  StreamOptions o;
  if (!window.empty()) o.window = StreamSpan::parse(window, "--window");
  if (!stride.empty()) o.stride = StreamSpan::parse(stride, "--stride");
  o.topk = 2;
  return o;
}

std::vector<WindowResult> run_windows(const fs::path& video, const StreamOptions& options,
                                      StreamSummary* summary = nullptr,
                                      std::vector<size_t>* sizes = nullptr) {
  FrameStream source(video.string());
  StreamRecognizer recognizer(counting_predictor(sizes), 8, options);
  std::vector<WindowResult> results;
  const StreamSummary s =
      recognizer.run(source, [&](const WindowResult& r) { results.push_back(r); });
  if (summary) *summary = s;
  return results;
}

TEST(StreamSpan, ParsesFramesAndSeconds) {
  const StreamSpan frames = StreamSpan::parse("32", "--window");
  EXPECT_FALSE(frames.in_seconds);
  EXPECT_EQ(frames.frames(0, "w", "src"), 32);
  const StreamSpan seconds = StreamSpan::parse("1.5s", "--window");
  EXPECT_TRUE(seconds.in_seconds);
  EXPECT_EQ(seconds.frames(30, "w", "src"), 45);
  EXPECT_EQ(seconds.str(), "1.5s");
  EXPECT_EQ(StreamSpan::parse("2s", "--window").frames(29.97, "w", "src"), 60);
}

TEST(StreamSpan, RejectsZeroNegativeAndMalformed) {
  auto error = [](const std::string& text) {
    return test::error_of([&] { StreamSpan::parse(text, "--window"); });
  };
  EXPECT_NE(error("0").find("--window '0' must be positive"), std::string::npos) << error("0");
  EXPECT_NE(error("0s").find("must be positive"), std::string::npos);
  EXPECT_NE(error("-3").find("must be positive"), std::string::npos);
  for (const char* bad : {"", "s", "abc", "2x", "2 s", " 2", "nan", "infs"})
    EXPECT_NE(error(bad).find("is not a length"), std::string::npos) << bad << ": " << error(bad);
  EXPECT_NE(error("1.5").find("not a whole number of frames"), std::string::npos);
  EXPECT_NE(error("1e3").find("not a whole number of frames"), std::string::npos);
  // Seconds need a frame rate, and must come to a frame at least.
  const StreamSpan half = StreamSpan::parse("0.01s", "--stride");
  EXPECT_NE(test::error_of([&] {
              half.frames(0, "the stride", "file 'a.mp4'");
            }).find("the stride '0.01s' is in seconds, but file 'a.mp4' does not state"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              half.frames(25, "the stride", "file 'a.mp4'");
            }).find("less than one frame"),
            std::string::npos);
  EXPECT_THROW(StreamSpan::of_frames(0).frames(25, "the window", "x"), std::invalid_argument);
}

const char* kPipelineConfig = R"(
data = dict(test=dict(pipeline=[
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=2, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs'])]))
)";

// Frames of one value each, to see which ones the pipeline kept.
std::vector<cv::Mat> valued_frames(int n) {
  std::vector<cv::Mat> frames;
  for (int i = 0; i < n; ++i) frames.emplace_back(6, 5, CV_8UC3, cv::Scalar::all(i));
  return frames;
}

// long_video_demo.py's pipeline: no decoding, no SampleFrames; clip_len x num_clips frames
// arranged as the config's FormatShape says.
TEST(WindowPipeline, RunsTheTestPipelineWithoutSamplingOrDecoding) {
  const Dict cfg = load_config_text(kPipelineConfig, "/tmp/window_pipeline.py");
  const WindowPipeline pipeline(cfg);
  EXPECT_EQ(pipeline.clip_len(), 4);
  EXPECT_EQ(pipeline.num_clips(), 2);
  EXPECT_EQ(pipeline.sample_length(), 8);
  Sample sample = pipeline(valued_frames(8));
  const torch::Tensor* imgs = sample.tensor("imgs");
  ASSERT_NE(imgs, nullptr);
  EXPECT_EQ(imgs->sizes(), torch::IntArrayRef({2, 3, 4, 6, 5}));
  // Clip 1, channel 0, time 2 is frame 6.
  EXPECT_EQ((*imgs)[1][0][2][0][0].item<double>(), 6);
  // A 16-frame window: the middle frame of each pair, 1, 3, ..., 15.
  sample = pipeline(valued_frames(16));
  imgs = sample.tensor("imgs");
  EXPECT_EQ((*imgs)[0][0][0][0][0].item<double>(), 1);
  EXPECT_EQ((*imgs)[1][0][3][0][0].item<double>(), 15);
  // The frames given are not changed.
  const auto frames = valued_frames(8);
  pipeline(frames);
  EXPECT_EQ(frames[3].at<cv::Vec3b>(0, 0)[0], 3);
}

TEST(WindowPipeline, NeedsASampleFramesStep) {
  const Dict cfg = load_config_text(
      "data = dict(test=dict(pipeline=[dict(type='FormatShape', input_format='NCHW')]))",
      "/tmp/no_sample_frames.py");
  EXPECT_NE(test::error_of([&] { WindowPipeline p(cfg); }).find("no SampleFrames step"),
            std::string::npos);
  EXPECT_NE(test::error_of([] { WindowPipeline p{Dict()}; }).find("no data.test.pipeline"),
            std::string::npos);
}

// 50 frames at 25 fps, a 1 s window every 0.4 s: windows at frames 0, 10 and 20.
TEST(StreamRecognizer, WindowsFollowTheStrideInSeconds) {
  TUBELET_REQUIRE_FFMPEG();
  StreamSummary summary;
  std::vector<size_t> sizes;
  const auto results = run_windows(video_of(50), options_of("1s", "0.4s"), &summary, &sizes);
  ASSERT_EQ(results.size(), 3u);
  for (size_t k = 0; k < results.size(); ++k) {
    const WindowResult& r = results[k];
    EXPECT_EQ(r.window, static_cast<int64_t>(k));
    EXPECT_EQ(r.first_frame, 10 * static_cast<int64_t>(k));
    EXPECT_EQ(r.last_frame, 10 * static_cast<int64_t>(k) + 24);
    EXPECT_NEAR(r.start_time, 0.4 * k, 1e-9);
    EXPECT_NEAR(r.end_time, 0.4 * k + 1.0, 1e-9);
    ASSERT_EQ(r.topk.size(), 2u);
    EXPECT_EQ(r.topk[0].first, 0);
    EXPECT_DOUBLE_EQ(r.topk[0].second, 25);
    EXPECT_EQ(r.topk[1].first, 1);
    EXPECT_GE(r.latency_ms, 0);
    EXPECT_EQ(r.dropped, 0);
    EXPECT_EQ(sizes[k], 25u);
  }
  EXPECT_EQ(summary.windows, 3);
  EXPECT_EQ(summary.frames, 50);
  EXPECT_EQ(summary.window_frames, 25);
  EXPECT_EQ(summary.stride_frames, 10);
  EXPECT_EQ(summary.max_held_frames, 25);
  EXPECT_GE(summary.max_latency_ms, summary.mean_latency_ms);
}

// A stride longer than the window skips the frames between windows and holds only a window.
TEST(StreamRecognizer, StrideAboveTheWindowSkipsFrames) {
  TUBELET_REQUIRE_FFMPEG();
  StreamSummary summary;
  const auto results = run_windows(video_of(50), options_of("10", "20"), &summary);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[2].first_frame, 40);
  EXPECT_EQ(results[2].last_frame, 49);
  EXPECT_EQ(summary.max_held_frames, 10);
  // No window given: the default (the pipeline's sample length, 8 here), stride = window.
  const auto plain = run_windows(video_of(50), options_of("", ""), &summary);
  EXPECT_EQ(plain.size(), 6u);
  EXPECT_EQ(plain.back().first_frame, 40);
  EXPECT_NEAR(plain.back().end_time, 48 / 25.0, 1e-9);
}

// The frame callback sees every frame once, after the window it completes.
TEST(StreamRecognizer, EachFrameComesWithTheLatestWindow) {
  TUBELET_REQUIRE_FFMPEG();
  FrameStream source(video_of(50).string());
  StreamRecognizer recognizer(counting_predictor(), 8, options_of("20", "10"));
  std::vector<int64_t> latest_of_frame;
  recognizer.run(source, {}, [&](const StreamFrame& f, const WindowResult* latest) {
    EXPECT_EQ(f.index, static_cast<int64_t>(latest_of_frame.size()));
    latest_of_frame.push_back(latest ? latest->window : -1);
  });
  ASSERT_EQ(latest_of_frame.size(), 50u);
  EXPECT_EQ(latest_of_frame[18], -1);
  EXPECT_EQ(latest_of_frame[19], 0);  // frame 19 completes window 0
  EXPECT_EQ(latest_of_frame[29], 1);
  EXPECT_EQ(latest_of_frame[49], 3);
}

// MMAction2's test.mp4 (300 frames at 30 fps), 32-frame windows every 16 frames.
TEST(StreamRecognizer, WindowsOfARealVideo) {
  TUBELET_REQUIRE_SHARED();
  const fs::path video = test::shared_dir() / "data/mmaction2-assets/test.mp4";
  if (!fs::exists(video)) GTEST_SKIP() << video << " is absent: skipped";
  StreamSummary summary;
  const auto results = run_windows(video, options_of("32", "16"), &summary);
  ASSERT_EQ(results.size(), 17u);  // starts 0, 16, ..., 256; 272 + 32 > 300
  for (size_t k = 0; k < results.size(); ++k) {
    EXPECT_EQ(results[k].first_frame, 16 * static_cast<int64_t>(k));
    EXPECT_NEAR(results[k].start_time, 16.0 * k / 30, 1e-6);
    EXPECT_NEAR(results[k].end_time, (16.0 * k + 32) / 30, 1e-6);
  }
  EXPECT_EQ(summary.frames, 300);
}

TEST(StreamRecognizer, WindowLongerThanTheVideoIsAnError) {
  TUBELET_REQUIRE_FFMPEG();
  const fs::path video = video_of(50);
  std::string error = test::error_of([&] { run_windows(video, options_of("64", "")); });
  EXPECT_NE(error.find("the window of 64 frames is longer than file '" + video.string() +
                       "' (50 frames, 2 s)"),
            std::string::npos)
      << error;
  error = test::error_of([&] { run_windows(video, options_of("3s", "")); });
  EXPECT_NE(error.find("the window of 75 frames (3s) is longer than file"), std::string::npos)
      << error;
}

TEST(StreamRecognizer, RejectsBadArguments) {
  EXPECT_THROW(StreamRecognizer(WindowPredictor(), 8), std::invalid_argument);
  StreamOptions o;
  o.topk = 0;
  EXPECT_THROW(StreamRecognizer(counting_predictor(), 8, o), std::invalid_argument);
}

// A live UDP stream from ffmpeg at 25 fps and a model that needs 300 ms a window of 5 frames:
// the source drops the oldest frames instead of queueing them, counts them, and neither the
// queue nor the window ever holds more than its size.
TEST(StreamRecognizer, SlowPredictorOnALiveStreamDropsFrames) {
  TUBELET_REQUIRE_FFMPEG();
  const int port = test::free_udp_port();
  test::FfmpegProcess server(test::udp_test_stream_args(port, 30));
  FrameStreamOptions source_options;
  source_options.queue_capacity = 3;
  FrameStream source("udp://127.0.0.1:" + std::to_string(port), source_options);
  auto slow = [](const std::vector<cv::Mat>& frames) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return torch::tensor({static_cast<double>(frames.size()), 0.0});
  };
  StreamRecognizer recognizer(slow, 5, options_of("5", ""));
  std::vector<WindowResult> results;
  std::vector<int64_t> received_at_window;
  int64_t received = 0;
  const StreamSummary summary = recognizer.run(
      source,
      [&](const WindowResult& r) {
        results.push_back(r);
        received_at_window.push_back(received + 1);  // the frame completing it counts
      },
      [&](const StreamFrame&, const WindowResult*) { ++received; },
      [&] { return results.size() >= 6; });
  ASSERT_EQ(results.size(), 6u);
  EXPECT_GT(summary.dropped, 0);
  EXPECT_LE(source.max_queued(), 3);
  EXPECT_EQ(summary.max_held_frames, 5);
  int64_t gaps = 0;
  for (size_t k = 0; k < results.size(); ++k) {
    const WindowResult& r = results[k];
    EXPECT_GE(r.last_frame - r.first_frame + 1, 5);
    EXPECT_GT(r.end_time, r.start_time);
    // Every frame before the window's last one was either received or dropped.
    EXPECT_LE(r.last_frame + 1, received_at_window[k] + r.dropped) << "window " << k;
    if (k > 0) {
      EXPECT_GE(r.dropped, results[k - 1].dropped);
      gaps += r.first_frame - results[k - 1].last_frame - 1;
    }
  }
  EXPECT_GT(gaps, 0);
}

// The default predictor over a TSN: the same scores as inference_recognizer on a video whose
// 8 frames are exactly what its SampleFrames (8 segments) picks.
TEST(StreamRecognizer, ModelPredictorMatchesInferenceRecognizer) {
  TUBELET_REQUIRE_FFMPEG();
  const Dict cfg = load_config_text(R"(
model = dict(type='Recognizer2D',
    backbone=dict(type='ResNet', depth=18, pretrained=None),
    cls_head=dict(type='TSNHead', num_classes=5, in_channels=512, dropout_ratio=0.0,
                  consensus=dict(type='AvgConsensus', dim=1)),
    test_cfg=dict(average_clips='prob'))
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
data = dict(test=dict(type='VideoDataset', ann_file=None, data_prefix=None, pipeline=[
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 36)),
    dict(type='CenterCrop', crop_size=32),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs'])]))
)",
                                    "/tmp/stream_tsn.py");
  torch::manual_seed(0);
  auto model = build_model(cfg.at("model"), "model");
  model->eval();
  const fs::path video = video_of(8);
  const torch::Tensor expected = inference_recognizer(*model, cfg, video.string());
  FrameStream source(video.string());
  std::vector<torch::Tensor> scores;
  WindowPredictor predictor = model_window_predictor(model, cfg);
  StreamRecognizer keep_scores(
      [&](const std::vector<cv::Mat>& frames) {
        scores.push_back(predictor(frames));
        return scores.back();
      },
      WindowPipeline(cfg).sample_length());
  const StreamSummary summary = keep_scores.run(source);
  ASSERT_EQ(summary.windows, 1);
  ASSERT_EQ(scores[0].sizes(), expected.sizes());
  EXPECT_TRUE(torch::allclose(scores[0], expected, test::kFloat32RelTol, test::kFloat32AbsTol))
      << scores[0] << "\n"
      << expected;
}

}  // namespace
}  // namespace tubelet::stream_test
