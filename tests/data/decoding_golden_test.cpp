// Decoded frames against MMAction2's: every golden pipeline case in
// ../shared/golden/pipeline/ runs its Init and Decode transforms on the same frame_inds, and
// each frame's SHA-1 (of the H x W x 3 uint8 RGB bytes) must be the one MMAction2 got.
#include <gtest/gtest.h>

#include <algorithm>
#include <opencv2/core.hpp>

#include "data/decoding_sha1.h"
#include "support/paths.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/ffmpeg_video_reader.h"
#include "tubelet/data/transform.h"

namespace tubelet::decoding_golden_test {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<std::filesystem::path> golden_cases() {
  std::vector<std::filesystem::path> out;
  for (const auto& entry :
       std::filesystem::directory_iterator(test::shared_dir() / "golden" / "pipeline"))
    if (entry.path().extension() == ".json" && entry.path().stem() != "normalize_lut")
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Runs the case's decoding steps and checks the frames; returns how many it compared.
size_t check_case(const std::filesystem::path& file) {
  const Dict golden =
      test::decode_golden(from_json(test::read_text(file), file.string())).as_dict();
  const std::filesystem::path assets = test::shared_dir() / "data" / "mmaction2-assets";
  Sample sample;
  sample.info = golden.at("initial_results").as_dict();
  for (const char* key : {"filename", "frame_dir"})
    if (const Value* v = sample.info.find(key))
      sample.info.set(key, Value((assets / v->as_str()).string()));

  std::shared_ptr<Transform> init, decode;
  for (const Value& step : golden.at("pipeline").as_list()) {
    const std::string type = step.as_dict().at("type").as_str();
    if (ends_with(type, "Init")) init = PIPELINES().build(step, BuildContext(file.string()));
    if (ends_with(type, "Decode")) decode = PIPELINES().build(step, BuildContext(file.string()));
  }
  if (!decode) ADD_FAILURE() << file << ": no Decode step";
  if (!decode) return 0;
  if (init) {
    init->apply(sample);
    EXPECT_EQ(sample.info.at("total_frames"), golden.at("total_frames")) << file;
  }
  sample.info.set("frame_inds", golden.at("frame_inds"));
  decode->apply(sample);

  const Dict& stage = golden.at("stages").as_dict().at(decode->type()).as_dict();
  const List& want = stage.at("sha1").as_list();
  EXPECT_EQ(sample.info.at("img_shape"), Value::tuple(stage.at("img_shape").as_list())) << file;
  EXPECT_EQ(sample.info.at("original_shape"), Value::tuple(stage.at("original_shape").as_list()))
      << file;
  EXPECT_EQ(sample.imgs.size(), want.size()) << file;
  for (size_t i = 0; i < std::min(want.size(), sample.imgs.size()); ++i) {
    const cv::Mat img = sample.imgs[i].isContinuous() ? sample.imgs[i] : sample.imgs[i].clone();
    EXPECT_EQ(test::sha1_hex(img.data, img.total() * img.elemSize()), want[i].as_str())
        << file.filename() << " frame " << i << " (index "
        << golden.at("frame_inds").as_list()[i].as_int() << ")";
  }
  return want.size();
}

TEST(DecodingGolden, FramesMatchMMAction2BitForBit) {
  TUBELET_REQUIRE_SHARED();
  size_t frames = 0;
  for (const auto& file : golden_cases()) frames += check_case(file);
  EXPECT_GT(frames, 0u);
}

// MMAction2's test videos: frame counts as its decoders report them (ffprobe -count_frames
// agrees), and seeking gives the frames of a full sequential decode, including test.avi whose
// packed B-frames carry no timestamps.
TEST(DecodingGolden, AssetsRandomAccessEqualsSequential) {
  TUBELET_REQUIRE_SHARED();
  const std::filesystem::path assets = test::shared_dir() / "data" / "mmaction2-assets";
  for (const auto& [name, frames] : std::vector<std::pair<std::string, int64_t>>{
           {"demo.mp4", 280}, {"test.mp4", 300}, {"test.avi", 164}}) {
    const std::string path = (assets / name).string();
    FFmpegVideoReader sequential(path);
    ASSERT_EQ(sequential.num_frames(), frames) << name;
    std::vector<int64_t> all;
    for (int64_t i = 0; i < frames; ++i) all.push_back(i);
    const std::vector<cv::Mat> every = sequential.frames(all);
    FFmpegVideoReader reader(path);
    const std::vector<int64_t> ask{frames - 1, 7, frames / 2, 0, frames / 3 + 1, 7};
    const std::vector<cv::Mat> got = reader.frames(ask);
    for (size_t i = 0; i < ask.size(); ++i) {
      const cv::Mat& want = every[static_cast<size_t>(ask[i])];
      EXPECT_EQ(cv::countNonZero(got[i].reshape(1) != want.reshape(1)), 0)
          << name << " frame " << ask[i];
    }
  }
}

TEST(DecodingGolden, Sha1) {
  const std::string abc = "abc";
  EXPECT_EQ(test::sha1_hex(reinterpret_cast<const uint8_t*>(abc.data()), abc.size()),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
  const std::string m(1000, 'a');
  EXPECT_EQ(test::sha1_hex(reinterpret_cast<const uint8_t*>(m.data()), m.size()),
            "291e9a6c66994949b57ba5e650361e98fc36b1ba");
}

}  // namespace
}  // namespace tubelet::decoding_golden_test
