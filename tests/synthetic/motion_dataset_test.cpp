// The synthetic motion dataset: each class's motion measured on the rendered frames, the
// order-dependent pairs as exact time reversals of each other, determinism, the files written
// (checked with ffprobe) and the errors for bad arguments.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "support/paths.h"
#include "tubelet/synthetic/motion_dataset.h"

namespace tubelet::synthetic::motion_dataset_test {
namespace {

namespace fs = std::filesystem;
constexpr double kPi = 3.14159265358979323846;

int label_named(const std::string& name) {
  const auto& names = motion_class_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  ADD_FAILURE() << "no class " << name;
  return 0;
}

bool same_frames(const std::vector<cv::Mat>& a, const std::vector<cv::Mat>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].size() != b[i].size() || cv::norm(a[i], b[i], cv::NORM_INF) != 0) return false;
  return true;
}

// The object in frame t: the pixels that differ from the frame drawn without it.
struct Blob {
  double area = 0;
  cv::Point2d centroid;
};
Blob find_object(const ClipSpec& spec, int t) {
  cv::Mat with = render_frame(spec, t), without = render_frame(spec, t, false);
  Blob b;
  for (int y = 0; y < spec.size; ++y)
    for (int x = 0; x < spec.size; ++x)
      if (with.at<cv::Vec3b>(y, x) != without.at<cv::Vec3b>(y, x)) {
        b.area += 1;
        b.centroid += cv::Point2d(x, y);
      }
  if (b.area > 0) b.centroid /= b.area;
  return b;
}
std::vector<Blob> track(const ClipSpec& spec) {
  std::vector<Blob> blobs;
  for (int t = 0; t < spec.frames; ++t) blobs.push_back(find_object(spec, t));
  return blobs;
}

constexpr int kSamples = 6;  // clips checked per class

TEST(SyntheticMotion, ClassesAndPartners) {
  const auto& names = motion_class_names();
  ASSERT_EQ(names.size(), 10u);
  for (int label = 0; label < static_cast<int>(names.size()); ++label) {
    int p = reversed_partner(label);
    if (names[label] == "blinking" || names[label] == "static") {
      EXPECT_EQ(p, -1) << names[label];
    } else {
      ASSERT_GE(p, 0) << names[label];
      EXPECT_EQ(reversed_partner(p), label) << names[label];
    }
  }
  EXPECT_EQ(reversed_partner(label_named("moving_left")), label_named("moving_right"));
  EXPECT_EQ(reversed_partner(label_named("growing")), label_named("shrinking"));
  EXPECT_NE(test::error_of([] { reversed_partner(10); }).find("label 10"), std::string::npos);
}

TEST(SyntheticMotion, SameSeedSameFramesOtherSeedOtherFrames) {
  for (int label = 0; label < 10; ++label) {
    auto a = render_clip(sample_clip(label, 7, 3, 32, 8));
    auto b = render_clip(sample_clip(label, 7, 3, 32, 8));
    auto c = render_clip(sample_clip(label, 8, 3, 32, 8));
    auto d = render_clip(sample_clip(label, 7, 4, 32, 8));
    EXPECT_TRUE(same_frames(a, b)) << label;
    EXPECT_FALSE(same_frames(a, c)) << label;
    EXPECT_FALSE(same_frames(a, d)) << label;
    EXPECT_EQ(a[0].type(), CV_8UC3);
    EXPECT_EQ(a[0].size(), cv::Size(32, 32));
  }
}

// Same (seed, index): the second class of a pair is the first played backwards, frame for
// frame, so both classes have one distribution of frame sets.
TEST(SyntheticMotion, PairsAreTimeReversalsOfEachOther) {
  for (int label = 0; label < 10; ++label) {
    int partner = reversed_partner(label);
    if (partner < 0) continue;
    for (int index = 0; index < 3; ++index) {
      auto a = render_clip(sample_clip(label, 11, index, 32, 12));
      auto b = render_clip(sample_clip(partner, 11, index, 32, 12));
      std::reverse(b.begin(), b.end());
      EXPECT_TRUE(same_frames(a, b)) << motion_class_names()[label] << " index " << index;
      EXPECT_FALSE(same_frames(a, render_clip(sample_clip(partner, 11, index, 32, 12))));
    }
  }
}

void expect_translation(const std::string& name, cv::Point2d direction) {
  for (int index = 0; index < kSamples; ++index) {
    ClipSpec spec = sample_clip(label_named(name), 5, index);
    auto blobs = track(spec);
    for (size_t t = 1; t < blobs.size(); ++t) {
      cv::Point2d step = blobs[t].centroid - blobs[t - 1].centroid;
      EXPECT_GT(step.dot(direction), 0.2) << name << " index " << index << " frame " << t;
      EXPECT_LT(std::fabs(step.cross(direction)), 0.3) << name << " index " << index;
      EXPECT_NEAR(blobs[t].area, blobs[0].area, 0.1 * blobs[0].area) << name;
    }
    double travelled = (blobs.back().centroid - blobs.front().centroid).dot(direction);
    EXPECT_GT(travelled, 0.3 * spec.size) << name << " index " << index;
  }
}

TEST(SyntheticMotion, MovingClassesMoveTheirWay) {
  expect_translation("moving_left", {-1, 0});
  expect_translation("moving_right", {1, 0});
  expect_translation("moving_up", {0, -1});  // image y grows downwards
  expect_translation("moving_down", {0, 1});
}

// The object's centroid lies off its turning point (no shape is symmetric), so the angle of
// centroid - turning point follows the rotation; y grows downwards, so clockwise on screen is
// an increasing angle.
void expect_rotation(const std::string& name, double sign) {
  for (int index = 0; index < kSamples; ++index) {
    ClipSpec spec = sample_clip(label_named(name), 5, index);
    auto blobs = track(spec);
    double turned = 0;
    auto angle = [&](const Blob& b) {
      return std::atan2(b.centroid.y - spec.start.y, b.centroid.x - spec.start.x);
    };
    for (size_t t = 1; t < blobs.size(); ++t) {
      double step = std::remainder(angle(blobs[t]) - angle(blobs[t - 1]), 2 * kPi);
      turned += step;
      EXPECT_NEAR(blobs[t].area, blobs[0].area, 0.15 * blobs[0].area) << name;
    }
    EXPECT_GT(sign * turned, 0.6 * kPi) << name << " index " << index;
    EXPECT_LT(sign * turned, 1.8 * kPi) << name << " index " << index;
  }
}

TEST(SyntheticMotion, RotatingClassesTurnTheirWay) {
  expect_rotation("rotating_clockwise", 1);
  expect_rotation("rotating_anticlockwise", -1);
}

// Anti-aliased edges make the pixel count of a small shape step unevenly from frame to frame,
// so growth is checked over 4 frames (about 10% in radius).
void expect_scaling(const std::string& name, bool grows) {
  for (int index = 0; index < kSamples; ++index) {
    auto blobs = track(sample_clip(label_named(name), 5, index));
    for (size_t t = 4; t < blobs.size(); ++t) {
      double change = blobs[t].area - blobs[t - 4].area;
      EXPECT_GT(grows ? change : -change, 0) << name << " index " << index << " frame " << t;
      EXPECT_LT(cv::norm(blobs[t].centroid - blobs[t - 1].centroid), 1.0) << name;  // in place
    }
    double ratio = blobs.back().area / blobs.front().area;
    EXPECT_GT(grows ? ratio : 1 / ratio, 2.2) << name << " index " << index;
  }
}

TEST(SyntheticMotion, GrowingGrowsShrinkingShrinks) {
  expect_scaling("growing", true);
  expect_scaling("shrinking", false);
}

TEST(SyntheticMotion, BlinkingBlinksStaticStays) {
  for (int index = 0; index < kSamples; ++index) {
    auto blink = track(sample_clip(label_named("blinking"), 5, index));
    int shown = 0, switches = 0;
    for (size_t t = 0; t < blink.size(); ++t) {
      shown += blink[t].area > 0;
      if (t > 0) switches += (blink[t].area > 0) != (blink[t - 1].area > 0);
    }
    EXPECT_GT(shown, 6) << index;
    EXPECT_LT(shown, 26) << index;
    EXPECT_GE(switches, 4) << index;
    auto still = track(sample_clip(label_named("static"), 5, index));
    // Only where an edge pixel happens to match the drifting background can the count change.
    for (const Blob& b : still) {
      EXPECT_NEAR(b.area, still[0].area, 0.02 * still[0].area) << index;
      EXPECT_LT(cv::norm(b.centroid - still[0].centroid), 0.1) << index;
    }
  }
}

TEST(SyntheticMotion, SplitGivesEveryClassTrainAndValVideos) {
  MotionDatasetOptions o;
  o.videos(300);
  std::map<int, int> train, val;
  for (int64_t i = 0; i < o.videos(); ++i) ++(o.is_val(i) ? val : train)[o.label_of(i)];
  for (int label = 0; label < 10; ++label) {
    EXPECT_EQ(train[label], 24) << label;
    EXPECT_EQ(val[label], 6) << label;
  }
  o.videos(25);  // classes 0-4 have 3 videos, 5-9 have 2: one val video each
  for (int label = 0; label < 10; ++label) {
    int n_val = 0, n = 0;
    for (int64_t i = label; i < o.videos(); i += 10) n_val += o.is_val(i), ++n;
    EXPECT_EQ(n_val, 1) << label;
    EXPECT_EQ(n, label < 5 ? 3 : 2) << label;
  }
}

std::string run_command(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buf[256];
  while (fgets(buf, sizeof(buf), pipe)) out += buf;
  pclose(pipe);
  return out;
}

#define REQUIRE_FFMPEG()                                                                     \
  do {                                                                                       \
    if (find_executable("ffmpeg").empty() || find_executable("ffprobe").empty())             \
      GTEST_SKIP() << "ffmpeg/ffprobe are not on PATH (scripts/bootstrap.sh installs them)"; \
  } while (0)

std::vector<std::string> lines_of(const fs::path& p) {
  std::vector<std::string> lines;
  std::stringstream ss(test::read_text(p));
  for (std::string line; std::getline(ss, line);) lines.push_back(line);
  return lines;
}

TEST(SyntheticMotion, WritesVideosListsAndRawframes) {
  REQUIRE_FFMPEG();
  test::TempDir dir;
  MotionDatasetOptions o;
  o.videos(20).seed(3).size(32).frames(8).rawframes(true).jobs(2);
  int64_t last_done = 0;
  o.progress([&](int64_t done, int64_t total) {
    EXPECT_EQ(done, last_done + 1);
    EXPECT_EQ(total, 20);
    last_done = done;
  });
  MotionDatasetSummary summary = make_motion_dataset(dir.path() / "a", o);
  EXPECT_EQ(last_done, 20);
  EXPECT_EQ(summary.train_videos, 10);
  EXPECT_EQ(summary.val_videos, 10);
  const fs::path a = dir.path() / "a";
  EXPECT_EQ(lines_of(a / "label_map.txt"), motion_class_names());
  auto train = lines_of(a / "train_list.txt"), val = lines_of(a / "val_list.txt");
  ASSERT_EQ(train.size(), 10u);
  ASSERT_EQ(val.size(), 10u);
  EXPECT_EQ(train[0], "video_00000.mp4 0");
  EXPECT_EQ(val[0], "video_00010.mp4 0");
  EXPECT_EQ(val[9], "video_00019.mp4 9");
  auto train_raw = lines_of(a / "train_list_rawframes.txt");
  ASSERT_EQ(train_raw.size(), 10u);
  EXPECT_EQ(train_raw[3], "video_00003 8 3");
  EXPECT_EQ(lines_of(a / "val_list_rawframes.txt")[9], "video_00019 8 9");
  for (const fs::directory_entry& entry : fs::directory_iterator(a / "videos"))
    EXPECT_EQ(entry.path().extension(), ".mp4") << "left behind: " << entry.path();

  // ffprobe reads what ffmpeg wrote: every frame, at the size asked for.
  for (int i : {0, 13}) {
    char name[32];
    std::snprintf(name, sizeof(name), "video_%05d.mp4", i);
    std::string probe = run_command(
        "ffprobe -v error -count_frames -select_streams v:0 "
        "-show_entries stream=width,height,nb_read_frames "
        "-of default=nw=1 '" +
        (a / "videos" / name).string() + "'");
    EXPECT_NE(probe.find("width=32\n"), std::string::npos) << probe;
    EXPECT_NE(probe.find("height=32\n"), std::string::npos) << probe;
    EXPECT_NE(probe.find("nb_read_frames=8\n"), std::string::npos) << probe;
  }
  // The rawframes are the rendered frames, as JPEG.
  ClipSpec spec = sample_clip(7, 3, 17, 32, 8);
  cv::Mat rgb = render_frame(spec, 4),
          jpg = cv::imread((a / "rawframes/video_00017/img_00005.jpg").string());
  ASSERT_FALSE(jpg.empty());
  EXPECT_FALSE(fs::exists(a / "rawframes/video_00017/img_00009.jpg"));
  cv::cvtColor(jpg, jpg, cv::COLOR_BGR2RGB);
  EXPECT_LT(cv::norm(rgb, jpg, cv::NORM_L1) / rgb.total() / 3, 6.0);

  // Same seed, another directory: the same bytes.
  MotionDatasetOptions again = o;
  again.progress(nullptr).jobs(1).rawframes(false);
  make_motion_dataset(dir.path() / "b", again);
  const fs::path b = dir.path() / "b";
  for (const char* f : {"train_list.txt", "val_list.txt", "label_map.txt", "videos/video_00000.mp4",
                        "videos/video_00011.mp4"})
    EXPECT_EQ(test::read_text(a / f), test::read_text(b / f)) << f;
}

std::string probe(const fs::path& video) {
  return run_command(
      "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
      "stream=codec_name,width,height,nb_read_frames -of default=nw=1 '" +
      video.string() + "'");
}

// One clip longer than the segment muxer's default 2 s stays one file, with either encoder.
TEST(SyntheticMotion, EncodesOneLongClipWithEitherEncoder) {
  REQUIRE_FFMPEG();
  test::TempDir dir;
  auto clip = render_clip(sample_clip(2, 1, 0, 16, 30));
  const std::string ffmpeg = find_executable("ffmpeg");
  encode_mp4(clip, dir.path() / "a.mp4", ffmpeg, pick_encoder(ffmpeg), 10);
  encode_mp4(clip, dir.path() / "b.mp4", ffmpeg, "mpeg4", 10);
  std::string a = probe(dir.path() / "a.mp4"), b = probe(dir.path() / "b.mp4");
  EXPECT_NE(a.find("nb_read_frames=30\n"), std::string::npos) << a;
  EXPECT_NE(a.find("width=16\n"), std::string::npos) << a;
  EXPECT_NE(b.find("codec_name=mpeg4\n"), std::string::npos) << b;
  EXPECT_NE(b.find("nb_read_frames=30\n"), std::string::npos) << b;
  std::string e = test::error_of(
      [&] { encode_mp4(clip, dir.path() / "c.mp4", ffmpeg, "no_such_encoder", 10); });
  EXPECT_NE(e.find("ffmpeg could not encode"), std::string::npos) << e;
  EXPECT_FALSE(fs::exists(dir.path() / "c.mp4"));
  int files = 0;  // a.mp4 and b.mp4: no temporary left behind
  for ([[maybe_unused]] const fs::directory_entry& entry : fs::directory_iterator(dir.path()))
    ++files;
  EXPECT_EQ(files, 2);
}

TEST(SyntheticMotion, BadArgumentsAreClearErrors) {
  test::TempDir dir;
  MotionDatasetOptions o;
  o.videos(5);
  std::string e = test::error_of([&] { make_motion_dataset(dir.path() / "x", o); });
  EXPECT_NE(e.find("--videos 5 is too few"), std::string::npos) << e;
  EXPECT_NE(e.find("at least 20"), std::string::npos) << e;
  o.videos(20).size(33);
  e = test::error_of([&] { make_motion_dataset(dir.path() / "x", o); });
  EXPECT_NE(e.find("--size 33"), std::string::npos) << e;
  o.size(32).ffmpeg("/nonexistent/ffmpeg");
  e = test::error_of([&] { make_motion_dataset(dir.path() / "x", o); });
  EXPECT_NE(e.find("ffmpeg command was not found at /nonexistent/ffmpeg"), std::string::npos) << e;

  REQUIRE_FFMPEG();
  o.ffmpeg("");
  fs::path blocker = dir.write("file", "not a directory");
  e = test::error_of([&] { make_motion_dataset(blocker / "out", o); });
  EXPECT_NE(e.find("cannot create the directory"), std::string::npos) << e;
  EXPECT_NE(e.find(blocker.string()), std::string::npos) << e;
}

}  // namespace
}  // namespace tubelet::synthetic::motion_dataset_test
