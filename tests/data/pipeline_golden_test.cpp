// MMAction2 0.24.1's own test pipelines (../shared/golden/pipeline): Normalize on every pixel
// value, and the uint8 frames after each stage (SHA-1 per frame), the crop boxes and the
// output tensors of a TSN CenterCrop pipeline and a rawframe TenCrop pipeline, rerun here
// from the golden's frames (and the rawframe JPEGs) through our transforms.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "data/pipeline_golden_output.h"
#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/transform.h"

namespace tubelet::pipeline_golden_test {
namespace {

// SHA-1 (FIPS 180-4) of a byte range, as hex: the golden hashes each frame's bytes.
std::string sha1(const uint8_t* data, size_t size) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::vector<uint8_t> msg(data, data + size);
  uint64_t bits = static_cast<uint64_t>(size) * 8;
  msg.push_back(0x80);
  while (msg.size() % 64 != 56) msg.push_back(0);
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  auto rol = [](uint32_t x, int n) { return (x << n) | (x >> (32 - n)); };
  for (size_t off = 0; off < msg.size(); off += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i)
      w[i] = (uint32_t(msg[off + 4 * i]) << 24) | (uint32_t(msg[off + 4 * i + 1]) << 16) |
             (uint32_t(msg[off + 4 * i + 2]) << 8) | uint32_t(msg[off + 4 * i + 3]);
    for (int i = 16; i < 80; ++i) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20)
        f = (b & c) | (~b & d), k = 0x5A827999;
      else if (i < 40)
        f = b ^ c ^ d, k = 0x6ED9EBA1;
      else if (i < 60)
        f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
      else
        f = b ^ c ^ d, k = 0xCA62C1D6;
      uint32_t t = rol(a, 5) + f + e + k + w[i];
      e = d, d = c, c = rol(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  char out[41];
  for (int i = 0; i < 5; ++i) std::snprintf(out + 8 * i, 9, "%08x", h[i]);
  return out;
}

std::string sha1(const cv::Mat& m) {
  cv::Mat c = m.isContinuous() ? m : m.clone();
  return sha1(c.ptr<uint8_t>(), c.total() * c.elemSize());
}

TEST(PipelineGoldenSupport, Sha1KnownAnswers) {
  EXPECT_EQ(sha1(nullptr, 0), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  std::string abc = "abc";
  EXPECT_EQ(sha1(reinterpret_cast<const uint8_t*>(abc.data()), 3),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
}

std::filesystem::path golden_dir() {
  return test::shared_dir() / "golden" / "pipeline";
}

Dict golden_json(const std::string& name) {
  auto file = golden_dir() / (name + ".json");
  return test::decode_golden(from_json(test::read_text(file), file.string())).as_dict();
}

checkpoint::StateDict golden_pth(const std::string& name) {
  return checkpoint::load_checkpoint((golden_dir() / (name + ".pth")).string()).state_dict;
}

std::shared_ptr<Transform> step(const Dict& golden, const std::string& type) {
  const List& pipeline = golden.at("pipeline").as_list();
  for (size_t i = 0; i < pipeline.size(); ++i)
    if (pipeline[i].as_dict().at("type").as_str() == type)
      return PIPELINES().build(pipeline[i], BuildContext("pipeline[" + std::to_string(i) + "]"));
  throw std::runtime_error("no " + type + " in the golden pipeline");
}

cv::Mat frame_of(const torch::Tensor& hwc) {  // a copy of an H x W x 3 uint8 tensor
  auto t = hwc.contiguous();
  return cv::Mat(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_8UC3,
                 t.data_ptr<uint8_t>())
      .clone();
}

void expect_sha1s(const Sample& s, const Dict& golden, const std::string& stage) {
  const List& want = golden.at("stages").as_dict().at(stage).as_dict().at("sha1").as_list();
  ASSERT_EQ(s.imgs.size(), want.size()) << stage;
  int wrong = 0;
  for (size_t i = 0; i < want.size(); ++i) wrong += sha1(s.imgs[i]) != want[i].as_str();
  EXPECT_EQ(wrong, 0) << stage << ": frames differing from MMAction2's";
}

TEST(PipelineGolden, NormalizeEveryValueBitExact) {
  TUBELET_REQUIRE_SHARED();
  Dict golden = golden_json("normalize_lut");
  auto lut = golden_pth("normalize_lut")["lut"];  // [256, 3] float32
  Sample s;
  s.info.set("modality", "RGB");
  cv::Mat img(1, 256, CV_8UC3);
  for (int v = 0; v < 256; ++v) img.at<cv::Vec3b>(0, v) = cv::Vec3b(v, v, v);
  s.imgs.push_back(img);
  Dict cfg;
  cfg.set("type", "Normalize");
  cfg.set("mean", golden.at("mean"));
  cfg.set("std", golden.at("std"));
  PIPELINES().build(Value(cfg), BuildContext("normalize"))->apply(s);
  auto got = torch::from_blob(s.imgs[0].ptr<float>(), {256, 3}, torch::kFloat32);
  EXPECT_TRUE(torch::equal(got, lut)) << (got - lut).abs().max().item<float>();
}

// (a) TSN test: 25 decoded 340x256 frames, Resize (-1, 256) (no change), CenterCrop 224.
// The golden holds the frames after the crop; Normalize, FormatShape, Collect and ToTensor
// run from there.
TEST(PipelineGolden, TsnCenterCropFromCroppedFrames) {
  TUBELET_REQUIRE_SHARED();
  const std::string name = "tsn_center25__demo.mp4";
  Dict golden = golden_json(name);
  auto pth = golden_pth(name);
  Sample shape_only;
  shape_only.info.set("img_shape", Value::tuple({256, 340}));
  step(golden, "CenterCrop")->apply(shape_only);
  EXPECT_EQ(shape_only.info.at("crop_bbox"), Value::list({58, 16, 282, 240}));
  EXPECT_EQ(repr(shape_only.info.at("crop_bbox")), repr(golden.at("crop_bbox")));

  Sample s;
  s.info = golden.at("initial_results").as_dict();
  s.info.set("num_clips", golden.at("num_clips_in_results"));
  s.info.set("clip_len", golden.at("clip_len_in_results"));
  auto crops = pth["crops_u8"];
  for (int64_t i = 0; i < crops.size(0); ++i) s.imgs.push_back(frame_of(crops[i]));
  expect_sha1s(s, golden, "CenterCrop");
  for (const char* type : {"Normalize", "FormatShape", "Collect", "ToTensor"})
    step(golden, type)->apply(s);
  test::expect_golden_output(*s.tensor("imgs"), pth);
  EXPECT_EQ(s.info.at("label"), golden.at("final").as_dict().at("label"));
}

// (e) Rawframes: the golden's frame indices decoded from the JPEGs (as mmcv's imfrombytes:
// OpenCV's decoder, BGR to RGB), then Resize (-1, 128), TenCrop 112, Normalize, FormatShape
// NCTHW, Collect, ToTensor: every stage against MMAction2's.
TEST(PipelineGolden, RawframeTenCropEveryStage) {
  TUBELET_REQUIRE_SHARED();
  const std::string name = "raw_tencrop__imgs_tf5";
  Dict golden = golden_json(name);
  auto pth = golden_pth(name);
  Sample s;
  s.info = golden.at("initial_results").as_dict();
  s.info.set("num_clips", golden.at("num_clips_in_results"));
  s.info.set("clip_len", golden.at("clip_len_in_results"));
  auto dir = test::shared_dir() / "data" / "mmaction2-assets" / s.info.at("frame_dir").as_str();
  for (const Value& index : golden.at("frame_inds").as_list()) {
    char file[32];
    std::snprintf(file, sizeof file, "img_%05lld.jpg", static_cast<long long>(index.as_int()));
    cv::Mat bgr = cv::imread((dir / file).string(), cv::IMREAD_COLOR), rgb;
    ASSERT_FALSE(bgr.empty()) << (dir / file);
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    s.imgs.push_back(rgb);
  }
  s.info.set("img_shape", Value::tuple({s.imgs[0].rows, s.imgs[0].cols}));
  s.info.set("original_shape", s.info.at("img_shape"));
  expect_sha1s(s, golden, "RawFrameDecode");
  step(golden, "Resize")->apply(s);
  EXPECT_EQ(s.info.at("img_shape"), Value::tuple({128, 171}));
  expect_sha1s(s, golden, "Resize");
  step(golden, "TenCrop")->apply(s);
  expect_sha1s(s, golden, "TenCrop");
  EXPECT_EQ(repr(s.info.at("crop_bbox")), repr(golden.at("crop_bbox")));
  // The frames before Normalize are the golden's crops_u8, frame for frame.
  auto crops = pth["crops_u8"];
  ASSERT_EQ(crops.size(0), static_cast<int64_t>(s.imgs.size()));
  for (int64_t i = 0; i < crops.size(0); ++i)
    EXPECT_EQ(cv::norm(s.imgs[i], frame_of(crops[i]), cv::NORM_INF), 0) << "frame " << i;
  for (const char* type : {"Normalize", "FormatShape", "Collect", "ToTensor"})
    step(golden, type)->apply(s);
  test::expect_golden_output(*s.tensor("imgs"), pth);
}

// The whole golden pipeline from the file in mmaction2-assets: sampling and decoding (the
// data helpers' transforms) and ours, every stage's frames against MMAction2's.
class PipelineGoldenEndToEnd : public ::testing::TestWithParam<std::string> {};

TEST_P(PipelineGoldenEndToEnd, EveryStageFromTheFile) {
  TUBELET_REQUIRE_SHARED();
  Dict golden = golden_json(GetParam());
  auto pth = golden_pth(GetParam());
  auto assets = test::shared_dir() / "data" / "mmaction2-assets";
  Sample s;
  s.info = golden.at("initial_results").as_dict();
  for (const char* key : {"filename", "frame_dir"})
    if (const Value* v = s.info.find(key)) s.info.set(key, (assets / v->as_str()).string());
  Compose pipeline(golden.at("pipeline"), "data.test.pipeline");
  const Dict& stages = golden.at("stages").as_dict();
  for (const auto& t : pipeline.steps()) {
    ASSERT_NO_THROW(t->apply(s)) << t->type();
    if (t->type() == "SampleFrames") {
      std::vector<int64_t> inds;
      for (const Value& v : s.info.at("frame_inds").as_list()) inds.push_back(v.as_int());
      std::vector<int64_t> want;
      for (const Value& v : golden.at("frame_inds").as_list()) want.push_back(v.as_int());
      EXPECT_EQ(inds, want);
    }
    const Value* stage = stages.find(t->type());
    if (stage && stage->as_dict().contains("sha1")) {
      expect_sha1s(s, golden, t->type());
      EXPECT_EQ(s.info.at("img_shape"), Value::tuple(stage->as_dict().at("img_shape").as_list()))
          << t->type();
    }
  }
  test::expect_golden_output(*s.tensor("imgs"), pth);
  EXPECT_EQ(s.info.at("label"), golden.at("final").as_dict().at("label"));
}

INSTANTIATE_TEST_SUITE_P(PipelineGolden, PipelineGoldenEndToEnd,
                         ::testing::Values("tsn_center25__demo.mp4", "raw_tencrop__imgs_tf5"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace tubelet::pipeline_golden_test
