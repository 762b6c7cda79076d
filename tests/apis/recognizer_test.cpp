// Needs TUBELET_WITH_MEDIA
// tubelet::Recognizer end to end with a tiny TSN (ResNet-18, 3 clips of 32x32) and a
// checkpoint written here: a video path, the same video's frames decoded (a vector of cv::Mat
// and a [T, H, W, 3] tensor) give the same scores, as MMAction2's inference_recognizer does
// for a path and for the ndarray of all its frames; on a video encoded here and on MMAction2's
// demo.mp4 (with its rawframes and Kinetics label map); 4 threads at once give the sequential
// scores; and bad inputs are errors that name them.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <fstream>
#include <thread>

#include "support/paths.h"
#include "tubelet/apis/recognizer.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/data/ffmpeg_video_reader.h"
#include "tubelet/data/frame_stream.h"
#include "tubelet/models/builder.h"
#include "tubelet/synthetic/motion_dataset.h"

namespace tubelet::recognizer_test {
namespace {

namespace fs = std::filesystem;

// OpenCVInit with num_threads=1 as MMAction2's inference config has it; 400 classes for the
// Kinetics label map.
const char* kConfig = R"(
model = dict(type='Recognizer2D',
    backbone=dict(type='ResNet', depth=18, pretrained='torchvision://resnet18'),
    cls_head=dict(type='TSNHead', num_classes=400, in_channels=512, dropout_ratio=0.0,
                  consensus=dict(type='AvgConsensus', dim=1)),
    test_cfg=dict(average_clips='prob'))
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False)
data = dict(test=dict(type='VideoDataset', ann_file=None, data_prefix=None, pipeline=[
    dict(type='OpenCVInit', num_threads=1),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=3, test_mode=True),
    dict(type='OpenCVDecode'),
    dict(type='Resize', scale=(-1, 36)),
    dict(type='CenterCrop', crop_size=32),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]),
    dict(type='ToTensor', keys=['imgs'])]))
)";

// The config, a checkpoint of a ResNet-18 TSN with batch-norm statistics far from 0/1 (so
// that folding them matters), a label map, and a 16-frame 64x64 video; made once per run.
struct Files {
  test::TempDir dir;
  fs::path config, checkpoint, label_map, video;
};

const Files& files() {
  static Files* f = [] {
    auto* out = new Files;
    out->config = out->dir.write("tsn_tiny.py", kConfig);
    // The model Recognizer builds: init_recognizer's backbone.pretrained=None (the config's
    // torchvision://resnet18 is not downloaded there either).
    Dict cfg = load_config(out->config.string());
    Dict& model_cfg = cfg.find("model")->mutable_dict();
    model_cfg.find("backbone")->mutable_dict().set("pretrained", Value());
    torch::manual_seed(0);
    auto model = build_model(Value(model_cfg), "model");
    {
      torch::NoGradGuard no_grad;
      for (auto& item : model->named_buffers()) {
        if (item.key().find("running_var") != std::string::npos) item.value().uniform_(0.5, 2.0);
        if (item.key().find("running_mean") != std::string::npos) item.value().normal_(0, 0.2);
      }
    }
    out->checkpoint = out->dir.path() / "tsn_tiny.pth";
    checkpoint::save_checkpoint(out->checkpoint.string(), checkpoint::state_dict(*model));
    std::string labels;
    for (int i = 0; i < 400; ++i)
      labels += i == 7 ? "  class 7 \r\n" : "class " + std::to_string(i) + "\n";
    out->label_map = out->dir.write("labels.txt", labels);
    const std::string ffmpeg = synthetic::find_executable("ffmpeg");
    if (!ffmpeg.empty()) {
      out->video = out->dir.path() / "clip.mp4";
      synthetic::encode_mp4(synthetic::render_clip(synthetic::sample_clip(2, 0, 0, 64, 16)),
                            out->video, ffmpeg, synthetic::pick_encoder(ffmpeg), 10);
    }
    return out;
  }();
  return *f;
}

// Loaded once for all the tests: one object serves every call. The process's malloc is left
// alone (other tests share the process).
const Recognizer& recognizer() {
  static const Recognizer* r = [] {
    RecognizerOptions options;
    options.label_map = files().label_map.string();
    options.keep_freed_memory = false;
    return new Recognizer(files().config.string(), files().checkpoint.string(), options);
  }();
  return *r;
}

#define RECOGNIZER_REQUIRE_VIDEO()                                                     \
  do {                                                                                 \
    if (files().video.empty()) GTEST_SKIP() << "ffmpeg is not on PATH: no test video"; \
  } while (0)

std::vector<cv::Mat> all_frames(const std::string& path) {
  FFmpegVideoReader reader(path);
  std::vector<int64_t> every(static_cast<size_t>(reader.num_frames()));
  for (size_t i = 0; i < every.size(); ++i) every[i] = static_cast<int64_t>(i);
  return reader.frames(every);
}

torch::Tensor as_tensor(const std::vector<cv::Mat>& frames) {
  std::vector<torch::Tensor> each;
  for (const cv::Mat& f : frames)
    each.push_back(torch::from_blob(f.data, {f.rows, f.cols, 3}, torch::kUInt8).clone());
  return torch::stack(each);
}

void expect_same(const Prediction& got, const Prediction& want, const std::string& what) {
  ASSERT_EQ(got.scores.sizes(), want.scores.sizes()) << what;
  EXPECT_TRUE(torch::allclose(got.scores, want.scores, test::kFloat32RelTol, test::kFloat32AbsTol))
      << what << ": max |diff| " << (got.scores - want.scores).abs().max().item<double>();
  ASSERT_EQ(got.topk.size(), want.topk.size()) << what;
  for (size_t i = 0; i < got.topk.size(); ++i) EXPECT_EQ(got.topk[i].index, want.topk[i].index);
}

// The top-k is the scores' best, best first, named by the label map.
void expect_topk_of_scores(const Prediction& p, const std::vector<std::string>& labels) {
  ASSERT_EQ(p.scores.sizes(), torch::IntArrayRef({400}));
  ASSERT_EQ(p.topk.size(), 5u);
  EXPECT_EQ(p.topk[0].index, p.scores.argmax().item<int64_t>());
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(p.topk[i].label, labels[p.topk[i].index]);
    EXPECT_NEAR(p.topk[i].score, p.scores[p.topk[i].index].item<double>(), 1e-7);
    if (i > 0) {
      EXPECT_GE(p.topk[i - 1].score, p.topk[i].score);
    }
  }
}

TEST(Recognizer, PathFramesAndTensorOfTheSameVideoAgree) {
  RECOGNIZER_REQUIRE_VIDEO();
  const Recognizer& r = recognizer();
  EXPECT_EQ(r.prepared(), "20 batch norms folded into convs, 2D convs channels-last");
  EXPECT_EQ(r.labels()[7], "class 7");  // stripped as demo.py strips each line
  const std::string path = files().video.string();
  const Prediction from_path = r.predict(path);
  expect_topk_of_scores(from_path, r.labels());
  const std::vector<cv::Mat> frames = all_frames(path);
  ASSERT_EQ(frames.size(), 16u);
  expect_same(r.predict(frames), from_path, "frames");
  expect_same(r.predict(as_tensor(frames)), from_path, "tensor");
  expect_same(r.predict(r.prepare(path)), from_path, "prepare + predict");
  // Fewer frames are another video to SampleFrames: other frames, other scores.
  const std::vector<cv::Mat> half(frames.begin(), frames.begin() + 8);
  EXPECT_FALSE(torch::allclose(r.predict(half).scores, from_path.scores));
}

// Recognizer::stream over the video in windows of 3 frames, stride 3: 5 windows. A window of
// exactly clip_len x num_clips frames is what SampleFrames would pick from a 3-frame video, so
// each window's top-k must be predict() on those 3 frames (ArrayDecode's path, not the
// window pipeline's).
TEST(Recognizer, StreamWindowsAgreeWithPredictOnTheirFrames) {
  RECOGNIZER_REQUIRE_VIDEO();
  const Recognizer& r = recognizer();
  EXPECT_EQ(r.default_window(), 3);
  const std::vector<cv::Mat> frames = all_frames(files().video.string());
  FrameStream source(files().video.string());
  StreamOptions options;
  options.window = StreamSpan::of_frames(3);
  options.stride = StreamSpan::of_frames(3);
  std::vector<WindowResult> windows;
  const StreamSummary summary =
      r.stream(source, options, [&](const WindowResult& w) { windows.push_back(w); });
  ASSERT_EQ(windows.size(), 5u);
  EXPECT_EQ(summary.windows, 5);
  EXPECT_EQ(summary.dropped, 0);
  for (const WindowResult& w : windows) {
    ASSERT_EQ(w.last_frame - w.first_frame, 2);
    EXPECT_EQ(w.first_frame, 3 * w.window);
    const std::vector<cv::Mat> mine(frames.begin() + w.first_frame,
                                    frames.begin() + w.last_frame + 1);
    const Prediction want = r.predict(mine);
    ASSERT_EQ(w.topk.size(), want.topk.size());
    for (size_t i = 0; i < w.topk.size(); ++i) {
      EXPECT_EQ(w.topk[i].first, want.topk[i].index) << "window " << w.window;
      EXPECT_NEAR(w.topk[i].second, want.topk[i].score, 1e-5 * std::abs(want.topk[i].score));
    }
  }
}

TEST(Recognizer, RealVideoRawframesAndKineticsLabels) {
  TUBELET_REQUIRE_SHARED();
  const fs::path assets = test::shared_dir() / "data/mmaction2-assets";
  if (!fs::exists(assets / "demo.mp4")) GTEST_SKIP() << assets << " has no demo.mp4: skipped";
  RecognizerOptions options;
  options.label_map = (assets / "label_map_k400.txt").string();
  options.keep_freed_memory = false;
  options.topk = 5;
  const Recognizer r(files().config.string(), files().checkpoint.string(), options);
  ASSERT_EQ(r.labels().size(), 400u);
  EXPECT_EQ(r.labels()[6], "arm wrestling");
  const std::string demo = (assets / "demo.mp4").string();
  const Prediction from_path = r.predict(demo);
  expect_topk_of_scores(from_path, r.labels());
  expect_same(r.predict(all_frames(demo)), from_path, "demo.mp4's frames");
  // A rawframe folder (img_00001.jpg ...) goes through RawFrameDecode.
  expect_topk_of_scores(r.predict((assets / "imgs").string()), r.labels());
}

TEST(Recognizer, ConcurrentPredictionsGiveTheSequentialScores) {
  RECOGNIZER_REQUIRE_VIDEO();
  const Recognizer& r = recognizer();
  const std::string path = files().video.string();
  const std::vector<cv::Mat> frames = all_frames(path);
  const std::vector<cv::Mat> half(frames.begin(), frames.begin() + 8);
  const Prediction whole = r.predict(path), part = r.predict(half);
  constexpr int kThreads = 4, kCalls = 3;
  std::vector<std::vector<Prediction>> got(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kCalls; ++i) {
          // Each thread mixes inputs, so that different batches meet in the model.
          const int kind = (t + i) % 3;
          got[t].push_back(kind == 0   ? r.predict(path)
                           : kind == 1 ? r.predict(half)
                                       : r.predict(as_tensor(frames)));
        }
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(errors[t], "") << "thread " << t;
    for (int i = 0; i < kCalls; ++i)
      expect_same(got[t][i], (t + i) % 3 == 1 ? part : whole,
                  "thread " + std::to_string(t) + " call " + std::to_string(i));
  }
}

// What `f` throws: its kind must be E and its message must hold `needle`.
template <class E>
void expect_error(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one naming " << needle;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "another kind of error: " << e.what();
  }
}

TEST(Recognizer, BadInputsAreErrorsThatNameThem) {
  const Recognizer& r = recognizer();
  const fs::path missing = files().dir.path() / "missing.mp4";
  expect_error<std::invalid_argument>([&] { r.predict(missing.string()); },
                                      "'" + missing.string() + "' does not exist");
  const fs::path garbage = files().dir.write("garbage.mp4", std::string(4096, '\x5a'));
  expect_error<std::runtime_error>([&] { r.predict(garbage.string()); }, garbage.string());
  expect_error<std::invalid_argument>([&] { r.predict(std::vector<cv::Mat>{}); },
                                      "frames (0): no frames");
  std::vector<cv::Mat> mixed{cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)),
                             cv::Mat(8, 8, CV_8UC1, cv::Scalar(1))};
  expect_error<std::invalid_argument>([&] { r.predict(mixed); },
                                      "frame 1 is 8x8 of type CV_8UC1; every frame must be RGB");
  mixed[1] = cv::Mat(4, 8, CV_8UC3);
  expect_error<std::invalid_argument>([&] { r.predict(mixed); }, "frame 1 is 8x4");
  expect_error<std::invalid_argument>(
      [&] {
        r.predict(torch::zeros({2, 3}, torch::kUInt8));
      },
      "frames tensor [2, 3]: the video tensor");
  expect_error<std::invalid_argument>(
      [&] {
        r.predict(torch::zeros({2, 8, 8, 4}, torch::kUInt8));
      },
      "must be T x H x W x 3 (RGB) or T x H x W x 2 (Flow)");
  expect_error<std::invalid_argument>(
      [&] {
        r.predict(torch::zeros({4, 8, 8, 3}));
      },
      "must be uint8");
  expect_error<std::invalid_argument>(
      [&] {
        r.predict(torch::zeros({0, 8, 8, 3}, torch::kUInt8));
      },
      "has no frames");
  expect_error<std::invalid_argument>([&] { r.predict(torch::Tensor()); }, "undefined");
}

TEST(Recognizer, ConstructorErrorsNameTheirCause) {
  RecognizerOptions options;
  options.keep_freed_memory = false;
  options.topk = -1;
  expect_error<std::invalid_argument>([&] { Recognizer(files().config.string(), "", options); },
                                      "topk must be 0 or more");
  options.topk = 5;
  options.label_map = (files().dir.path() / "no_labels.txt").string();
  expect_error<std::runtime_error>([&] { Recognizer(files().config.string(), "", options); },
                                   "no_labels.txt");
  options.label_map.clear();
  const std::string missing = (files().dir.path() / "missing.pth").string();
  expect_error<std::runtime_error>([&] { Recognizer(files().config.string(), missing, options); },
                                   "missing.pth");
}

}  // namespace
}  // namespace tubelet::recognizer_test
