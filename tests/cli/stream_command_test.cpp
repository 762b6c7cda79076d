// `tubelet stream` end to end, through the built command, with a TSN-R18 checkpoint saved
// here: the window lines, JSON lines and annotated video on a video encoded here and on
// MMAction2's test.mp4; a live UDP stream that ffmpeg serves on 127.0.0.1 (ending when it
// falls silent); and the errors, each naming what is wrong: a missing file, a corrupt file,
// an unreachable stream, an absent camera, a window longer than the video, a bad window.
// Needs TUBELET_WITH_MEDIA: the command decodes videos.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/command_support.h"
#include "support/ffmpeg_process.h"
#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/ffmpeg_video_reader.h"
#include "tubelet/models/builder.h"

namespace tubelet::stream_command_test {
namespace {

namespace fs = std::filesystem;

// TSN-R18 on 8 segments of 32x32: the demos' window is 8 frames.
const char* kConfig = R"(
model = dict(type='Recognizer2D',
    backbone=dict(type='ResNet', depth=18, pretrained='torchvision://resnet18'),
    cls_head=dict(type='TSNHead', num_classes=4, in_channels=512, dropout_ratio=0.0,
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
)";

// The config, its checkpoint, a label map and a 50-frame video, made once per test run.
struct Setup {
  test::TempDir dir;
  fs::path config, checkpoint, labels, video;
  Setup() {
    config = dir.write("tsn_stream.py", kConfig);
    Dict cfg = load_config(config.string());
    // The command drops backbone.pretrained as MMAction2's init_recognizer does; so does this
    // build (nothing to download).
    cfg.find("model")->mutable_dict().find("backbone")->mutable_dict().set("pretrained", Value());
    torch::manual_seed(0);
    auto model = build_model(cfg.at("model"), "model");
    checkpoint = dir.path() / "tsn.pth";
    checkpoint::save_checkpoint(checkpoint.string(), checkpoint::state_dict(*model));
    labels = dir.write("labels.txt", "archery\nbowling\ncycling\ndancing\n");
    video = dir.path() / "clip.mp4";
    test::encode_test_video(video, 50, 64, 48, 25);
  }
};

const Setup& setup() {
  static Setup s;
  return s;
}

#define REQUIRE_STREAM_COMMAND() \
  TUBELET_REQUIRE_COMMAND();     \
  TUBELET_REQUIRE_FFMPEG()

std::string stream_args(const std::string& source, const std::string& extra) {
  const Setup& s = setup();
  return "stream " + test::shell_quote(s.config.string()) + " " +
         test::shell_quote(s.checkpoint.string()) + " " + test::shell_quote(source) + " " + extra;
}

std::vector<std::string> lines_of(const std::string& text, const std::string& prefix = "") {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  return out;
}

// 50 frames, 8-frame windows every 4: 11 windows, their lines, JSON lines and the video.
TEST(StreamCommand, WindowsJsonAndAnnotatedVideoOfAFile) {
  REQUIRE_STREAM_COMMAND();
  test::TempDir out;
  const fs::path json = out.path() / "windows.jsonl", video = out.path() / "annotated.mp4";
  const auto r = test::run_tubelet(
      stream_args(setup().video.string(), "--stride 4 --topk 3 --label-map " +
                                              test::shell_quote(setup().labels.string()) +
                                              " --json " + test::shell_quote(json.string()) +
                                              " --out-file " + test::shell_quote(video.string())),
      out.path(), "file");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto windows = lines_of(r.out, "window ");
  ASSERT_EQ(windows.size(), 11u) << r.out;
  EXPECT_EQ(windows[0].rfind("window 0 [0.00 s - 0.32 s] frames 0-7: ", 0), 0u) << windows[0];
  EXPECT_EQ(windows[10].rfind("window 10 [1.60 s - 1.92 s] frames 40-47: ", 0), 0u) << windows[10];
  EXPECT_NE(windows[0].find("(latency "), std::string::npos);
  // Three labels from the label map per line.
  int named = 0;
  for (const char* label : {"archery ", "bowling ", "cycling ", "dancing "})
    named += windows[0].find(label) != std::string::npos;
  EXPECT_EQ(named, 3) << windows[0];
  EXPECT_NE(r.out.find("windows: 11 of 8 frames, stride 4; latency mean "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("frames: 50 read, 0 dropped"), std::string::npos) << r.out;

  const auto records = lines_of(test::read_text(json));
  ASSERT_EQ(records.size(), 11u);
  const Dict first = from_json(records[1], json.string()).as_dict();
  EXPECT_EQ(first.at("window").as_int(), 1);
  EXPECT_EQ(first.at("first_frame").as_int(), 4);
  EXPECT_EQ(first.at("last_frame").as_int(), 11);
  EXPECT_NEAR(first.at("start").as_float(), 0.16, 1e-9);
  EXPECT_NEAR(first.at("end").as_float(), 0.48, 1e-9);
  EXPECT_EQ(first.at("topk").as_list().size(), 3u);
  EXPECT_TRUE(first.at("topk").as_list()[0].as_dict().at("label").is_str());
  EXPECT_GE(first.at("latency_ms").as_float(), 0);
  EXPECT_EQ(first.at("dropped").as_int(), 0);

  FFmpegVideoReader annotated(video.string());
  EXPECT_EQ(annotated.num_frames(), 50);
  EXPECT_EQ(annotated.width(), 64);
  EXPECT_EQ(annotated.height(), 48);
}

// MMAction2's test.mp4 (300 frames at 30 fps): windows of 1 s every 2 s, JSON lines on stdout
// (and the text lines on stderr).
TEST(StreamCommand, RealVideoInSecondsWithJsonOnStdout) {
  REQUIRE_STREAM_COMMAND();
  TUBELET_REQUIRE_SHARED();
  const fs::path input = test::shared_dir() / "data/mmaction2-assets/test.mp4";
  if (!fs::exists(input)) GTEST_SKIP() << input << " is absent: skipped";
  test::TempDir out;
  const auto r = test::run_tubelet(stream_args(input.string(), "--window 1s --stride 2s --json -"),
                                   out.path(), "real");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto records = lines_of(r.out);
  ASSERT_EQ(records.size(), 5u) << r.out;  // starts 0, 2, 4, 6, 8 s
  for (size_t k = 0; k < records.size(); ++k) {
    const Dict d = from_json(records[k], "stdout").as_dict();
    EXPECT_NEAR(d.at("start").as_float(), 2.0 * k, 1e-6);
    EXPECT_NEAR(d.at("end").as_float(), 2.0 * k + 1, 1e-6);
    EXPECT_EQ(d.at("first_frame").as_int(), 60 * static_cast<int64_t>(k));
    EXPECT_EQ(d.at("topk").as_list().size(), 4u);  // --topk 5 of 4 classes
  }
  EXPECT_EQ(lines_of(r.err, "window ").size(), 5u) << r.err;
  EXPECT_NE(r.err.find("windows: 5 of 30 frames, stride 60"), std::string::npos) << r.err;
}

// A live MPEG-TS stream over UDP from ffmpeg: windows come, and the command ends cleanly once
// the stream has been silent for --timeout.
TEST(StreamCommand, LiveUdpStream) {
  REQUIRE_STREAM_COMMAND();
  const int port = test::free_udp_port();
  // Long enough to still be sending when the command has loaded its model and listens.
  test::FfmpegProcess server(test::udp_test_stream_args(port, 8));
  test::TempDir out;
  const fs::path video = out.path() / "live.mkv";
  const auto r =
      test::run_tubelet(stream_args("udp://127.0.0.1:" + std::to_string(port),
                                    "--timeout 2 --out-file " + test::shell_quote(video.string())),
                        out.path(), "live");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("(live)"), std::string::npos) << r.err;
  EXPECT_GE(lines_of(r.out, "window ").size(), 3u) << r.out;
  EXPECT_NE(r.err.find("taken as the end of the stream"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find(" dropped"), std::string::npos) << r.out;
  EXPECT_GT(FFmpegVideoReader(video.string()).num_frames(), 24);
}

// Each bad input: exit status 1 and a message naming it.
TEST(StreamCommand, BadInputsAreClearErrors) {
  REQUIRE_STREAM_COMMAND();
  test::TempDir out;
  const std::string corrupt = out.write("corrupt.mp4", std::string(4096, '\x5a')).string();
  const std::string unreachable = "tcp://127.0.0.1:" + std::to_string(test::free_udp_port());
  const std::string video = setup().video.string();
  struct Case {
    std::string name, args, expected;
  };
  const std::vector<Case> cases = {
      {"missing", stream_args("/no/such/clip.mp4", ""), "file '/no/such/clip.mp4': no such file"},
      {"corrupt", stream_args(corrupt, ""), "file '" + corrupt + "': cannot open it as a video"},
      {"unreachable", stream_args(unreachable, "--timeout 2"),
       "network stream '" + unreachable + "': cannot open it"},
      {"camera", stream_args("/dev/video9", ""), "camera '/dev/video9': no such device"},
      {"too_long", stream_args(video, "--window 64"),
       "the window of 64 frames is longer than file '" + video + "' (50 frames, 2 s)"},
      {"zero_window", stream_args(video, "--window 0"), "--window '0' must be positive"},
      {"bad_stride", stream_args(video, "--stride 2x"), "--stride '2x' is not a length"},
  };
  std::vector<std::string> args, names;
  for (const Case& c : cases) {
    args.push_back(c.args);
    names.push_back(c.name);
  }
  const auto results = test::run_tubelet_all(args, out.path(), names);
  for (size_t i = 0; i < cases.size(); ++i) {
    if (cases[i].name == "camera" && fs::exists("/dev/video9")) continue;
    EXPECT_EQ(results[i].status, 1) << cases[i].name << ": " << results[i].err;
    EXPECT_NE(results[i].err.find(cases[i].expected), std::string::npos)
        << cases[i].name << ": " << results[i].err;
  }
}

}  // namespace
}  // namespace tubelet::stream_command_test
