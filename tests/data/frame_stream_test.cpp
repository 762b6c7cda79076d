// FrameStream: frames of a file in order with their times (the same pixels as
// FFmpegVideoReader), the drop-oldest queue of live sources, a live UDP stream that ffmpeg
// serves here, and the errors for each kind of bad source (missing, corrupt, unreachable,
// absent camera), each naming the source and none of them hanging.
// Needs TUBELET_WITH_MEDIA: it decodes videos.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <opencv2/core.hpp>
#include <random>
#include <thread>

#include "data/decoding/drop_oldest_queue.h"
#include "data/decoding/v4l2_input.h"
#include "support/ffmpeg_process.h"
#include "support/paths.h"
#include "tubelet/data/ffmpeg_video_reader.h"
#include "tubelet/data/frame_stream.h"

namespace tubelet::frame_stream_test {
namespace {

namespace fs = std::filesystem;

// A 50-frame 64x48 video at 25 fps, once per test binary run.
const fs::path& small_video() {
  static test::TempDir dir;
  static fs::path path;
  if (path.empty() && test::have_ffmpeg()) {
    test::encode_test_video(dir.path() / "small.mp4", 50, 64, 48, 25);
    path = dir.path() / "small.mp4";
  }
  return path;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(DropOldestQueue, KeepsTheNewestAndCountsWhatItDrops) {
  decoding::DropOldestQueue<int> queue(2);
  for (int i = 0; i < 5; ++i) queue.push(i);
  EXPECT_EQ(queue.dropped(), 3);
  EXPECT_EQ(queue.max_size(), 2);
  int item = -1;
  ASSERT_TRUE(queue.pop(item));
  EXPECT_EQ(item, 3);
  ASSERT_TRUE(queue.pop(item));
  EXPECT_EQ(item, 4);
  queue.close(std::make_exception_ptr(std::runtime_error("source failed")));
  queue.push(9);  // ignored once closed
  EXPECT_EQ(test::error_of([&] { queue.pop(item); }), "source failed");
  EXPECT_THROW(decoding::DropOldestQueue<int>(0), std::invalid_argument);
}

TEST(FrameStream, ClassifiesSources) {
  EXPECT_EQ(classify_frame_source("/dev/video0"), FrameSourceKind::kCamera);
  EXPECT_EQ(classify_frame_source("v4l2:/dev/video2"), FrameSourceKind::kCamera);
  EXPECT_EQ(classify_frame_source("rtsp://cam.local/stream"), FrameSourceKind::kNetwork);
  EXPECT_EQ(classify_frame_source("udp://127.0.0.1:1234"), FrameSourceKind::kNetwork);
  EXPECT_EQ(classify_frame_source("file:///tmp/a.mp4"), FrameSourceKind::kFile);
  EXPECT_EQ(classify_frame_source("videos/a b.mp4"), FrameSourceKind::kFile);
  EXPECT_EQ(classify_frame_source("weird name://x.mp4"), FrameSourceKind::kFile);
}

// Every frame in order at i / fps, not live, nothing dropped.
TEST(FrameStream, ReadsAFileInOrderWithItsTimes) {
  TUBELET_REQUIRE_FFMPEG();
  FrameStream stream(small_video().string());
  EXPECT_FALSE(stream.live());
  EXPECT_EQ(stream.kind(), FrameSourceKind::kFile);
  EXPECT_DOUBLE_EQ(stream.fps(), 25.0);
  EXPECT_EQ(stream.width(), 64);
  EXPECT_EQ(stream.height(), 48);
  StreamFrame frame;
  int64_t n = 0;
  while (stream.next(frame)) {
    EXPECT_EQ(frame.index, n);
    EXPECT_NEAR(frame.time, n / 25.0, 1e-9);
    EXPECT_EQ(frame.rgb.type(), CV_8UC3);
    EXPECT_EQ(frame.rgb.cols, 64);
    ++n;
  }
  EXPECT_EQ(n, 50);
  EXPECT_FALSE(stream.next(frame));
  EXPECT_EQ(stream.dropped(), 0);
}

// The real clip from MMAction2's tests: 300 frames, pixel for pixel what the random-access
// reader (and so the test pipeline's decoder) gives.
TEST(FrameStream, GivesTheReadersPixelsOnARealVideo) {
  TUBELET_REQUIRE_SHARED();
  const fs::path video = test::shared_dir() / "data/mmaction2-assets/test.mp4";
  if (!fs::exists(video)) GTEST_SKIP() << video << " is absent: skipped";
  FFmpegVideoReader reader(video.string());
  const std::vector<int64_t> picks = {0, 1, 149, 299};
  const auto expected = reader.frames(picks);
  FrameStream stream(video.string());
  StreamFrame frame;
  int64_t n = 0;
  size_t next_pick = 0;
  while (stream.next(frame)) {
    if (next_pick < picks.size() && frame.index == picks[next_pick]) {
      EXPECT_EQ(cv::norm(frame.rgb, expected[next_pick], cv::NORM_INF), 0) << "frame " << n;
      EXPECT_NEAR(frame.time, frame.index / 30.0, 1e-6);
      ++next_pick;
    }
    ++n;
  }
  EXPECT_EQ(n, reader.num_frames());
  EXPECT_EQ(next_pick, picks.size());
}

// A file read as a live source: the decode thread does not wait for a consumer that sleeps,
// so only the newest `queue_capacity` frames are left and the rest are counted as dropped.
TEST(FrameStream, LiveSourceDropsTheOldestFramesWhenTheConsumerIsSlow) {
  TUBELET_REQUIRE_FFMPEG();
  FrameStreamOptions options;
  options.live = true;
  options.queue_capacity = 3;
  FrameStream stream(small_video().string(), options);
  const auto start = std::chrono::steady_clock::now();
  while (stream.dropped() < 47 && seconds_since(start) < 20)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  StreamFrame frame;
  std::vector<int64_t> indices;
  while (stream.next(frame)) indices.push_back(frame.index);
  EXPECT_EQ(indices, (std::vector<int64_t>{47, 48, 49}));
  EXPECT_EQ(stream.dropped(), 47);
  EXPECT_EQ(stream.max_queued(), 3);
  EXPECT_EQ(stream.queue_capacity(), 3);
}

// A live MPEG-TS stream over UDP from ffmpeg on 127.0.0.1: frames arrive with increasing
// times; the consumer may stop at any point and the stream closes without waiting for the end.
TEST(FrameStream, ReadsALiveUdpStream) {
  TUBELET_REQUIRE_FFMPEG();
  const int port = test::free_udp_port();
  test::FfmpegProcess server(test::udp_test_stream_args(port, 20));
  FrameStreamOptions options;
  options.timeout_s = 5;
  FrameStream stream("udp://127.0.0.1:" + std::to_string(port), options);
  EXPECT_TRUE(stream.live());
  EXPECT_EQ(stream.kind(), FrameSourceKind::kNetwork);
  EXPECT_EQ(stream.width(), 64);
  StreamFrame frame;
  double last_time = -1;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(stream.next(frame));
    EXPECT_GT(frame.time, last_time);
    last_time = frame.time;
  }
  EXPECT_LE(stream.max_queued(), stream.queue_capacity());
}

// A stream that stops sending after frames came is taken as ended after the timeout.
TEST(FrameStream, ALiveStreamThatFallsSilentEnds) {
  TUBELET_REQUIRE_FFMPEG();
  const int port = test::free_udp_port();
  test::FfmpegProcess server(test::udp_test_stream_args(port, 1));
  FrameStreamOptions options;
  options.timeout_s = 1;
  FrameStream stream("udp://127.0.0.1:" + std::to_string(port), options);
  StreamFrame frame;
  int64_t n = 0;
  const auto start = std::chrono::steady_clock::now();
  while (stream.next(frame)) ++n;
  EXPECT_GT(n, 0);
  EXPECT_TRUE(stream.ended_silent());
  EXPECT_LT(seconds_since(start), 10);
}

TEST(FrameStream, MissingFileIsAnErrorNamingIt) {
  const std::string error = test::error_of([] { FrameStream s("/no/such/dir/clip.mp4"); });
  EXPECT_NE(error.find("file '/no/such/dir/clip.mp4'"), std::string::npos) << error;
  EXPECT_NE(error.find("no such file"), std::string::npos) << error;
}

TEST(FrameStream, CorruptFileIsAnErrorNamingIt) {
  test::TempDir dir;
  const fs::path garbage = dir.path() / "garbage.mp4";
  std::mt19937 rng(7);
  std::string bytes(8192, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  std::ofstream(garbage, std::ios::binary) << bytes;
  const std::string error = test::error_of([&] { FrameStream s(garbage.string()); });
  EXPECT_NE(error.find("file '" + garbage.string() + "'"), std::string::npos) << error;
  EXPECT_NE(error.find("cannot open it as a video"), std::string::npos) << error;
}

// Nobody sends to this UDP port: the open gives up after the timeout, well within seconds.
TEST(FrameStream, SilentUdpStreamTimesOut) {
  const std::string url = "udp://127.0.0.1:" + std::to_string(test::free_udp_port());
  FrameStreamOptions options;
  options.timeout_s = 1;
  const auto start = std::chrono::steady_clock::now();
  const std::string error = test::error_of([&] { FrameStream s(url, options); });
  EXPECT_LT(seconds_since(start), 6);
  EXPECT_NE(error.find("network stream '" + url + "'"), std::string::npos) << error;
  EXPECT_NE(error.find("timed out"), std::string::npos) << error;
}

// Nobody listens on this TCP port: refused at once.
TEST(FrameStream, UnreachableTcpStreamIsAnErrorNamingIt) {
  const std::string url = "tcp://127.0.0.1:" + std::to_string(test::free_udp_port());
  FrameStreamOptions options;
  options.timeout_s = 2;
  const auto start = std::chrono::steady_clock::now();
  const std::string error = test::error_of([&] { FrameStream s(url, options); });
  EXPECT_LT(seconds_since(start), 6);
  EXPECT_NE(error.find("network stream '" + url + "': cannot open it"), std::string::npos) << error;
}

TEST(FrameStream, AbsentCameraIsAnErrorNamingIt) {
  if (fs::exists("/dev/video9")) GTEST_SKIP() << "/dev/video9 exists here";
  const std::string error = test::error_of([] { FrameStream s("/dev/video9"); });
  EXPECT_NE(error.find("camera '/dev/video9': no such device"), std::string::npos) << error;
}

// No camera here: the video4linux2 input (libavdevice, loaded at run time) is there, and a
// device that is not a camera is refused with an error naming it.
TEST(FrameStream, CameraInputIsThereAndRefusesANonCamera) {
  std::string why;
  if (!decoding::v4l2_input_format(why)) GTEST_SKIP() << "no video4linux2 input: " << why;
  const auto start = std::chrono::steady_clock::now();
  const std::string error = test::error_of([] { FrameStream s("v4l2:/dev/null"); });
  EXPECT_LT(seconds_since(start), 10);
  EXPECT_NE(error.find("camera 'v4l2:/dev/null': cannot open it"), std::string::npos) << error;
}

TEST(FrameStream, BadOptionsAreErrors) {
  TUBELET_REQUIRE_FFMPEG();
  FrameStreamOptions options;
  options.queue_capacity = 0;
  EXPECT_NE(
      test::error_of([&] { FrameStream s(small_video().string(), options); }).find("capacity"),
      std::string::npos);
  options.queue_capacity = 4;
  options.timeout_s = 0;
  EXPECT_NE(test::error_of([&] { FrameStream s(small_video().string(), options); }).find("timeout"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::frame_stream_test
