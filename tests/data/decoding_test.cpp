// The FFmpeg reader and the decode transforms: frame-exact random access against a sequential
// decode of videos encoded here with the ffmpeg command, only-needed decoding, errors, and
// RawFrameDecode on images written here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <thread>

#include "support/paths.h"
#include "tubelet/data/ffmpeg_video_reader.h"
#include "tubelet/data/transform.h"

namespace tubelet::decoding_test {
namespace {

bool have_ffmpeg() {
  return std::system("ffmpeg -version > /dev/null 2>&1") == 0;
}

// Encodes `frames` frames of ffmpeg's test pattern with `codec_args` into dir/name.
std::string encode(const std::filesystem::path& dir, const std::string& name,
                   const std::string& codec_args, int frames = 100) {
  const std::string out = (dir / name).string();
  const std::string source =
      name.rfind("red", 0) == 0 ? "color=c=red:size=96x64:rate=25" : "testsrc=size=96x64:rate=25";
  const std::string cmd = "ffmpeg -v error -y -f lavfi -i " + source + " -frames:v " +
                          std::to_string(frames) + " " + codec_args + " '" + out + "'";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("ffmpeg failed: " + cmd);
  return out;
}

class Videos : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!have_ffmpeg()) return;
    dir_ = new test::TempDir();
    // H.264 with B-frames (decode order differs from presentation order), key frame every 12.
    h264_ = encode(dir_->path(), "h264.mp4",
                   "-c:v libx264 -g 12 -sc_threshold 0 -bf 2 -pix_fmt yuv420p");
    // MPEG-4 part 2 in AVI, key frame every 12, no B-frames: seekable by timestamps.
    avi_ = encode(dir_->path(), "mpeg4.avi", "-c:v mpeg4 -g 12");
    // Packed B-frames in AVI leave packets without timestamps (like MMAction2's test.avi).
    packed_ = encode(dir_->path(), "packed.avi", "-c:v mpeg4 -g 12 -bf 2");
    // Open GOPs (leading B-frames reference the previous GOP) in Matroska, which seeks by
    // presentation time; VP9 in WebM has hidden alt-ref frames inside its packets.
    open_gop_ =
        encode(dir_->path(), "open_gop.mkv",
               "-c:v libx264 -g 12 -sc_threshold 0 -bf 2 -x264-params open_gop=1 -pix_fmt yuv420p");
    vp9_ = encode(dir_->path(), "vp9.webm", "-c:v libvpx-vp9 -g 12 -deadline realtime -cpu-used 8");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!dir_) GTEST_SKIP() << "the ffmpeg command is not installed: test videos cannot be made";
  }
  static std::vector<std::string> all() { return {h264_, avi_, packed_, open_gop_, vp9_}; }

  static test::TempDir* dir_;
  static std::string h264_, avi_, packed_, open_gop_, vp9_;
};
test::TempDir* Videos::dir_ = nullptr;
std::string Videos::h264_, Videos::avi_, Videos::packed_, Videos::open_gop_, Videos::vp9_;

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
  return v;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() &&
         cv::countNonZero(a.reshape(1) != b.reshape(1)) == 0;
}

TEST_F(Videos, CountsEveryFrameAndReadsRgb) {
  for (const auto& path : all()) {
    FFmpegVideoReader reader(path);
    EXPECT_EQ(reader.num_frames(), 100) << path;
    EXPECT_DOUBLE_EQ(reader.fps(), 25.0) << path;
    std::vector<cv::Mat> f = reader.frames({0});
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].rows, 64);
    EXPECT_EQ(f[0].cols, 96);
    EXPECT_EQ(f[0].type(), CV_8UC3);
  }
  // Channel order: a red video decodes to R high, B low.
  const std::string red = encode(dir_->path(), "red.mp4", "-c:v libx264 -pix_fmt yuv420p", 3);
  FFmpegVideoReader reader(red);
  const cv::Vec3b pixel = reader.frames({1})[0].at<cv::Vec3b>(10, 10);
  EXPECT_GT(pixel[0], 200) << pixel;
  EXPECT_LT(pixel[2], 60) << pixel;
}

TEST_F(Videos, RandomAccessEqualsSequentialDecode) {
  std::mt19937 rng(7);
  for (const auto& path : all()) {
    FFmpegVideoReader sequential(path);
    const std::vector<cv::Mat> every = sequential.frames(iota(sequential.num_frames()));
    EXPECT_EQ(sequential.seeks(), 1) << path;  // one pass from the start
    for (int round = 0; round < 4; ++round) {
      std::vector<int64_t> ask;
      for (int i = 0; i < 9; ++i) ask.push_back(std::uniform_int_distribution<int64_t>(0, 99)(rng));
      ask.push_back(ask[2]);  // a repeat
      ask.push_back(99);      // the last frame
      FFmpegVideoReader reader(path);
      std::vector<cv::Mat> got = reader.frames(ask);
      ASSERT_EQ(got.size(), ask.size());
      for (size_t i = 0; i < ask.size(); ++i)
        EXPECT_TRUE(same(got[i], every[static_cast<size_t>(ask[i])]))
            << path << " frame " << ask[i];
      // The same reader serves a second, descending request.
      std::reverse(ask.begin(), ask.end());
      got = reader.frames(ask);
      for (size_t i = 0; i < ask.size(); ++i)
        EXPECT_TRUE(same(got[i], every[static_cast<size_t>(ask[i])]))
            << path << " frame " << ask[i];
    }
    // Repeated indices are separate images.
    FFmpegVideoReader reader(path);
    std::vector<cv::Mat> twice = reader.frames({5, 5});
    EXPECT_NE(twice[0].data, twice[1].data);
  }
}

// One reader per sample, several samples at once (the loader's worker threads).
TEST_F(Videos, ReadersInParallelThreads) {
  FFmpegVideoReader sequential(h264_);
  const std::vector<cv::Mat> every = sequential.frames(iota(100));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        FFmpegVideoReader reader(t % 2 ? avi_ : h264_);
        const std::vector<int64_t> ask{7 + t, 40 + round, 90 - t};
        const std::vector<cv::Mat> got = reader.frames(ask);
        if (t % 2 == 0)
          for (size_t i = 0; i < ask.size(); ++i)
            mismatches[t] += !same(got[i], every[static_cast<size_t>(ask[i])]);
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST_F(Videos, DecodesOnlyWhatTheFramesNeed) {
  for (const auto& path : {h264_, avi_}) {
    FFmpegVideoReader reader(path);
    const std::vector<int64_t> keys = reader.key_frames();
    EXPECT_EQ(keys, (std::vector<int64_t>{0, 12, 24, 36, 48, 60, 72, 84, 96})) << path;
    EXPECT_EQ(reader.key_frame_of(53), 48);
    reader.frames({50});
    // From key frame 48 to frame 50, plus the decoder's reordering delay: far from 100.
    EXPECT_LE(reader.packets_decoded(), 12) << path;
    EXPECT_EQ(reader.seeks(), 1);
    // Frames after it in the same group of pictures continue the same pass.
    const int64_t before = reader.packets_decoded();
    reader.frames({52, 55});
    EXPECT_EQ(reader.seeks(), 1) << path;
    EXPECT_LE(reader.packets_decoded() - before, 6) << path;
    // Eight frames spread over the video: one pass, each group decoded at most once.
    FFmpegVideoReader spread(path);
    spread.frames({3, 15, 27, 39, 51, 63, 75, 87});
    EXPECT_LE(spread.packets_decoded(), 8 * 8) << path;
    EXPECT_LT(spread.packets_decoded(), 100) << path;
  }
  // Without timestamps frames are read forward from the start, but no further than needed.
  FFmpegVideoReader packed(packed_);
  packed.frames({10});
  EXPECT_LE(packed.packets_decoded(), 14);
}

TEST_F(Videos, Errors) {
  const auto error = [](const std::function<void()>& f) { return test::error_of(f); };
  const std::string missing = (dir_->path() / "missing.mp4").string();
  EXPECT_NE(error([&] { FFmpegVideoReader r(missing); }).find(missing), std::string::npos);
  EXPECT_THROW(FFmpegVideoReader r(missing), std::runtime_error);

  const std::string garbage =
      dir_->write("garbage.mp4", std::string(4096, 'z') + "not a video").string();
  EXPECT_THROW(FFmpegVideoReader r(garbage), std::runtime_error);
  EXPECT_NE(error([&] { FFmpegVideoReader r(garbage); }).find(garbage), std::string::npos);

  // An MP4 cut in half loses its index (the moov atom is written last).
  const std::string bytes = test::read_text(h264_);
  const std::string cut = dir_->write("cut.mp4", bytes.substr(0, bytes.size() / 2)).string();
  EXPECT_THROW(FFmpegVideoReader r(cut), std::runtime_error);
  EXPECT_NE(error([&] { FFmpegVideoReader r(cut); }).find(cut), std::string::npos);

  // An AVI cut in half keeps its first frames; the ones past the cut do not exist.
  const std::string avi_bytes = test::read_text(avi_);
  const std::string cut_avi =
      dir_->write("cut.avi", avi_bytes.substr(0, avi_bytes.size() / 2)).string();
  FFmpegVideoReader partial(cut_avi);
  EXPECT_GT(partial.num_frames(), 10);
  EXPECT_LT(partial.num_frames(), 100);
  EXPECT_EQ(partial.frames({0, 5}).size(), 2u);

  // Garbage in the middle of the stream: an error naming the file for the frames that need
  // it; the frames after the next key frame still decode.
  std::string corrupt_bytes = bytes;
  std::mt19937 rng(1);
  for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 2000; ++i)
    corrupt_bytes[i] = static_cast<char>(rng());
  const std::string corrupt = dir_->write("corrupt.mp4", corrupt_bytes).string();
  FFmpegVideoReader damaged(corrupt);
  const std::string damage = error([&] { damaged.frames(iota(damaged.num_frames())); });
  EXPECT_NE(damage.find(corrupt), std::string::npos) << damage;
  EXPECT_EQ(damaged.frames({99}).size(), 1u);

  FFmpegVideoReader reader(h264_);
  const std::string message = error([&] { reader.frames({3, 100}); });
  EXPECT_NE(message.find("100"), std::string::npos) << message;
  EXPECT_NE(message.find(h264_), std::string::npos) << message;
  EXPECT_THROW(reader.frames({-1}), std::runtime_error);
}

// Builds `type` from PIPELINES with `args`.
std::shared_ptr<Transform> make(const std::string& type, Dict args = {}) {
  args.set("type", Value(type));
  return PIPELINES().build(Value(std::move(args)), BuildContext("pipeline"));
}

Value list(const std::vector<int64_t>& v) {
  List items;
  for (int64_t i : v) items.emplace_back(i);
  return Value::list(std::move(items));
}

TEST_F(Videos, DecodeTransforms) {
  FFmpegVideoReader reference(h264_);
  const std::vector<cv::Mat> every = reference.frames(iota(100));
  for (const auto& [init, decode] :
       std::vector<std::pair<std::string, std::string>>{{"DecordInit", "DecordDecode"},
                                                        {"PyAVInit", "PyAVDecode"},
                                                        {"OpenCVInit", "OpenCVDecode"}}) {
    Sample s;
    s.info.set("filename", Value(h264_));
    make(init)->apply(s);
    EXPECT_EQ(s.info.at("total_frames").as_int(), 100) << init;
    ASSERT_TRUE(s.video_reader) << init;
    s.info.set("frame_inds", list({7, 3, 3, 60}));
    make(decode)->apply(s);
    EXPECT_FALSE(s.video_reader) << decode;
    ASSERT_EQ(s.imgs.size(), 4u);
    const std::vector<int64_t> want{7, 3, 3, 60};
    for (size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(same(s.imgs[i], every[want[i]])) << decode;
    EXPECT_EQ(s.info.at("img_shape"), Value::tuple({Value(64), Value(96)}));
    EXPECT_EQ(s.info.at("original_shape"), Value::tuple({Value(64), Value(96)}));
  }
  // A (1, N) frame_inds is squeezed; PyAV wraps indices past the end; OpenCV counts negative
  // ones from the end; decord refuses both.
  Sample s;
  s.info.set("filename", Value(h264_));
  make("PyAVInit")->apply(s);
  s.info.set("frame_inds", Value::list({list({101, 2})}));
  make("PyAVDecode")->apply(s);
  EXPECT_EQ(s.info.at("frame_inds"), list({101, 2}));
  EXPECT_TRUE(same(s.imgs[0], every[1]));
  s.info.set("filename", Value(h264_));
  make("OpenCVInit")->apply(s);
  EXPECT_EQ(s.info.at("new_path"), Value(h264_));
  s.info.set("frame_inds", list({-1}));
  make("OpenCVDecode")->apply(s);
  EXPECT_TRUE(same(s.imgs[0], every[99]));
  make("DecordInit",
       [] {
         Dict d;
         d.set("num_threads", Value(2));
         return d;
       }())
      ->apply(s);
  s.info.set("frame_inds", list({100}));
  EXPECT_THROW(make("DecordDecode")->apply(s), std::runtime_error);
  const auto decode_efficient = [&](const std::vector<int64_t>& inds) {
    make("DecordInit")->apply(s);
    s.info.set("frame_inds", list(inds));
    Dict d;
    d.set("mode", Value("efficient"));
    make("DecordDecode", d)->apply(s);
  };
  // 'efficient' returns the key frame each index is decoded from.
  decode_efficient({30, 11});
  EXPECT_TRUE(same(s.imgs[0], every[24]));
  EXPECT_TRUE(same(s.imgs[1], every[0]));
  // An index right after the previous one is read on without a seek: the frame after the
  // previous result (decord's next()), not the key frame.
  decode_efficient({30, 31});
  EXPECT_TRUE(same(s.imgs[0], every[24]));
  EXPECT_TRUE(same(s.imgs[1], every[25]));
  // Argument checks.
  EXPECT_THROW(make("DecordDecode",
                    [] {
                      Dict d;
                      d.set("mode", Value("fast"));
                      return d;
                    }()),
               ConfigError);
  EXPECT_THROW(make("PyAVInit",
                    [] {
                      Dict d;
                      d.set("io_backend", Value("petrel"));
                      return d;
                    }()),
               ConfigError);
  EXPECT_THROW(make("OpenCVDecode",
                    [] {
                      Dict d;
                      d.set("mode", Value("accurate"));
                      return d;
                    }()),
               ConfigError);
  Sample none;
  none.info.set("frame_inds", list({0}));
  EXPECT_THROW(make("DecordDecode")->apply(none), std::invalid_argument);
}

cv::Mat pattern(int seed, int type) {
  cv::Mat m(24, 32, type);
  cv::randu(m, cv::Scalar::all(0), cv::Scalar::all(256));
  m.at<uchar>(0, 0) = static_cast<uchar>(seed);
  return m;
}

TEST(RawFrameDecode, RgbFramesWithCacheAndOffset) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "v");
  std::vector<cv::Mat> bgr;
  for (int i = 0; i < 6; ++i) {
    cv::theRNG().state = static_cast<uint64_t>(i + 1);
    bgr.push_back(pattern(i, CV_8UC3));
    char name[32];
    std::snprintf(name, sizeof(name), "img_%05d.png", i + 1);
    ASSERT_TRUE(cv::imwrite((dir.path() / "v" / name).string(), bgr.back()));
  }
  Sample s;
  s.info.set("frame_dir", Value((dir.path() / "v").string()));
  s.info.set("filename_tmpl", Value("img_{:05}.png"));
  s.info.set("modality", Value("RGB"));
  s.info.set("offset", Value(1));
  s.info.set("frame_inds", list({1, 3, 1, 5}));  // + offset 1 -> files 2, 4, 2, 6
  make("RawFrameDecode")->apply(s);
  ASSERT_EQ(s.imgs.size(), 4u);
  const int file_of[] = {2, 4, 2, 6};
  for (size_t i = 0; i < 4; ++i) {
    cv::Mat rgb;
    cv::cvtColor(bgr[file_of[i] - 1], rgb, cv::COLOR_BGR2RGB);
    EXPECT_TRUE(same(s.imgs[i], rgb)) << i;
  }
  EXPECT_NE(s.imgs[0].data, s.imgs[2].data);  // the cached repeat is a copy
  EXPECT_EQ(s.info.at("img_shape"), Value::tuple({Value(24), Value(32)}));

  s.info.set("frame_inds", list({7}));
  const std::string message = test::error_of([&] { make("RawFrameDecode")->apply(s); });
  EXPECT_NE(message.find("img_00008.png"), std::string::npos) << message;
  EXPECT_THROW(make("RawFrameDecode",
                    [] {
                      Dict d;
                      d.set("decoding_backend", Value("magick"));
                      return d;
                    }()),
               ConfigError);
  make("RawFrameDecode", [] {
    Dict d;
    d.set("decoding_backend", Value("pillow"));
    return d;
  }());
}

TEST(RawFrameDecode, FlowFramesAreXYPairs) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "f");
  std::map<std::string, cv::Mat> written;
  for (int i = 1; i <= 3; ++i)
    for (const char* axis : {"x", "y"}) {
      char name[32];
      std::snprintf(name, sizeof(name), "%s_%05d.png", axis, i);
      cv::theRNG().state = static_cast<uint64_t>(i * 10 + axis[0]);
      written[name] = pattern(i, CV_8UC1);
      ASSERT_TRUE(cv::imwrite((dir.path() / "f" / name).string(), written[name]));
    }
  Sample s;
  s.info.set("frame_dir", Value((dir.path() / "f").string()));
  s.info.set("filename_tmpl", Value("{}_{:05d}.png"));
  s.info.set("modality", Value("Flow"));
  s.info.set("frame_inds", list({3, 1, 3}));
  make("RawFrameDecode")->apply(s);
  ASSERT_EQ(s.imgs.size(), 6u);
  const char* names[] = {"x_00003.png", "y_00003.png", "x_00001.png",
                         "y_00001.png", "x_00003.png", "y_00003.png"};
  for (size_t i = 0; i < 6; ++i) EXPECT_TRUE(same(s.imgs[i], written[names[i]])) << names[i];
  EXPECT_EQ(s.imgs[0].type(), CV_8UC1);
  s.info.set("modality", Value("Audio"));
  EXPECT_THROW(make("RawFrameDecode")->apply(s), std::invalid_argument);
}

}  // namespace
}  // namespace tubelet::decoding_test
