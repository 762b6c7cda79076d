// The annotated video writer: what it writes decodes back with the project's reader with the
// right frame count, size and rate; the text changes the frames where demo.py draws it and
// nowhere else; the file appears only when complete; bad paths and frames are clear errors.
// Needs TUBELET_WITH_MEDIA: OpenCV drawing, FFmpeg encoding and decoding.
#include <gtest/gtest.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "support/ffmpeg_process.h"
#include "support/paths.h"
#include "tubelet/data/ffmpeg_video_reader.h"
#include "tubelet/visualization/annotated_video_writer.h"

namespace tubelet::annotated_video_writer_test {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kLines = {"arm wrestling: 0.91", "dancing ballet: 0.04"};

// Smooth colours (lossy encoding keeps them within a few levels); `seed` shifts them.
cv::Mat gradient(int width, int height, int seed) {
  cv::Mat rgb(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      rgb.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uint8_t>((x + seed) % 220),
                                          static_cast<uint8_t>((y * 2) % 220), 60);
  return rgb;
}

// Pixels of `a` and `b` in `roi` whose largest channel difference is above `threshold`.
int changed_pixels(const cv::Mat& a, const cv::Mat& b, const cv::Rect& roi, int threshold = 60) {
  cv::Mat diff;
  cv::absdiff(a(roi), b(roi), diff);
  int count = 0;
  for (int y = 0; y < diff.rows; ++y)
    for (int x = 0; x < diff.cols; ++x) {
      const cv::Vec3b d = diff.at<cv::Vec3b>(y, x);
      if (std::max({d[0], d[1], d[2]}) > threshold) ++count;
    }
  return count;
}

TEST(DrawLabelLines, DrawsInTheTopLeftCornerOnly) {
  const cv::Mat original = gradient(200, 120, 0);
  cv::Mat drawn = original.clone();
  draw_label_lines(drawn, kLines);
  EXPECT_GT(changed_pixels(drawn, original, cv::Rect(0, 0, 200, 50)), 100);
  EXPECT_EQ(changed_pixels(drawn, original, cv::Rect(0, 60, 200, 60), 0), 0);
  // The first line where demo.py puts its label: baseline 10 px + text height from the top.
  EXPECT_EQ(changed_pixels(drawn, original, cv::Rect(0, 0, 200, 8), 0), 0);
  EXPECT_EQ(changed_pixels(drawn, original, cv::Rect(0, 0, 9, 50), 0), 0);
}

// Frames written are frames read back: count, size, rate; the text is there after encoding.
TEST(AnnotatedVideoWriter, WritesAVideoTheReaderDecodes) {
  test::TempDir dir;
  const fs::path out = dir.path() / "annotated.mp4";
  AnnotatedVideoWriter writer(out.string(), 160, 96, 25);
  EXPECT_TRUE(writer.codec_name() == "libx264" || writer.codec_name() == "mpeg4")
      << writer.codec_name();
  for (int i = 0; i < 12; ++i)
    writer.write(gradient(160, 96, i), i < 6 ? kLines : std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(out)) << "the file must appear only once complete";
  writer.close();
  EXPECT_EQ(writer.frames_written(), 12);
  FFmpegVideoReader reader(out.string());
  EXPECT_EQ(reader.num_frames(), 12);
  EXPECT_EQ(reader.width(), 160);
  EXPECT_EQ(reader.height(), 96);
  EXPECT_DOUBLE_EQ(reader.fps(), 25);
  const auto frames = reader.frames({0, 11});
  const cv::Rect text(0, 0, 160, 45), rest(0, 55, 160, 41);
  EXPECT_GT(changed_pixels(frames[0], gradient(160, 96, 0), text), 50);
  EXPECT_LT(changed_pixels(frames[0], gradient(160, 96, 0), rest), 5);
  EXPECT_LT(changed_pixels(frames[1], gradient(160, 96, 11), text), 5);
  // Nothing is left beside it.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) files += entry.is_regular_file();
  EXPECT_EQ(files, 1);
}

// 4:2:0 video needs even sizes: an odd frame is padded by one row and column.
TEST(AnnotatedVideoWriter, PadsOddSizes) {
  test::TempDir dir;
  const fs::path out = dir.path() / "odd.mkv";
  AnnotatedVideoWriter writer(out.string(), 65, 49, 10);
  for (int i = 0; i < 3; ++i) writer.write(gradient(65, 49, i), kLines);
  writer.close();
  FFmpegVideoReader reader(out.string());
  EXPECT_EQ(reader.num_frames(), 3);
  EXPECT_EQ(reader.width(), 66);
  EXPECT_EQ(reader.height(), 50);
}

// A writer dropped before close() (an error midway) leaves no file, and an older target
// untouched.
TEST(AnnotatedVideoWriter, UnfinishedVideoLeavesNothingBehind) {
  test::TempDir dir;
  const fs::path out = dir.write("old.mp4", "previous contents");
  {
    AnnotatedVideoWriter writer(out.string(), 64, 48, 25);
    writer.write(gradient(64, 48, 0), kLines);
  }
  EXPECT_EQ(test::read_text(out), "previous contents");
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) files += entry.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST(AnnotatedVideoWriter, BadPathsAndFramesAreErrors) {
  test::TempDir dir;
  const std::string unknown = (dir.path() / "out.notavideo").string();
  std::string error = test::error_of([&] { AnnotatedVideoWriter w(unknown, 64, 48, 25); });
  EXPECT_NE(error.find("annotated video '" + unknown + "': its extension names no video"),
            std::string::npos)
      << error;
  const std::string nowhere = (dir.path() / "no/such/folder/out.mp4").string();
  error = test::error_of([&] { AnnotatedVideoWriter w(nowhere, 64, 48, 25); });
  EXPECT_NE(error.find("'" + nowhere + "': its folder"), std::string::npos) << error;
  AnnotatedVideoWriter writer((dir.path() / "ok.mp4").string(), 64, 48, 25);
  error = test::error_of([&] { writer.write(gradient(32, 48, 0), kLines); });
  EXPECT_NE(error.find("frame 0 is not a 64x48 RGB image (got 32x48"), std::string::npos) << error;
  EXPECT_THROW(AnnotatedVideoWriter((dir.path() / "z.mp4").string(), 64, 48, 0),
               std::runtime_error);
}

// write_annotated_video on `input`: same frame count and size; the text region changed.
void check_reencoded(const fs::path& input, const cv::Rect& text, const cv::Rect& rest) {
  test::TempDir dir;
  const fs::path out = dir.path() / "out.mp4";
  write_annotated_video(input.string(), out.string(), kLines);
  FFmpegVideoReader original(input.string()), annotated(out.string());
  EXPECT_EQ(annotated.num_frames(), original.num_frames());
  EXPECT_EQ(annotated.width(), original.width());
  EXPECT_EQ(annotated.height(), original.height());
  EXPECT_NEAR(annotated.fps(), original.fps(), 1e-6);
  const int64_t last = original.num_frames() - 1;
  const auto a = annotated.frames({0, last});
  const auto o = original.frames({0, last});
  for (int i = 0; i < 2; ++i) {
    EXPECT_GT(changed_pixels(a[i], o[i], text), 50) << "frame " << i;
    // Lossy encoding twice changes little elsewhere.
    EXPECT_LT(changed_pixels(a[i], o[i], rest), rest.area() / 100) << "frame " << i;
  }
}

TEST(WriteAnnotatedVideo, ReencodesAVideoEncodedHere) {
  TUBELET_REQUIRE_FFMPEG();
  test::TempDir dir;
  const fs::path input = dir.path() / "in.mp4";
  test::encode_test_video(input, 30, 192, 108, 25);
  check_reencoded(input, cv::Rect(0, 0, 192, 45), cv::Rect(0, 60, 192, 48));
}

TEST(WriteAnnotatedVideo, ReencodesARealVideo) {
  TUBELET_REQUIRE_SHARED();
  const fs::path input = test::shared_dir() / "data/mmaction2-assets/test.mp4";
  if (!fs::exists(input)) GTEST_SKIP() << input << " is absent: skipped";
  check_reencoded(input, cv::Rect(0, 0, 200, 45), cv::Rect(0, 80, 340, 176));
}

TEST(WriteAnnotatedVideo, MissingInputIsAnErrorNamingIt) {
  test::TempDir dir;
  const std::string error = test::error_of([&] {
    write_annotated_video("/no/such/video.mp4", (dir.path() / "out.mp4").string(), kLines);
  });
  EXPECT_NE(error.find("file '/no/such/video.mp4': no such file"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(dir.path() / "out.mp4"));
}

}  // namespace
}  // namespace tubelet::annotated_video_writer_test
