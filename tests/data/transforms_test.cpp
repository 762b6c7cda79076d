// MMAction2's augmentations and formatting transforms on small hand-made frames: sizes,
// offsets and pixels worked out by hand from MMAction2 0.24.1 / mmcv 1.7.0's code, results
// keys with their Python types, random transforms' determinism and spread, and the errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <set>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/data/transform.h"
#include "tubelet/data/transforms/color_jitter.h"

namespace tubelet::transforms_test {
namespace {

Value cfg(const std::string& text) {
  return load_config_text("t = " + text + "\n", "/tmp/transforms.py").at("t");
}

std::shared_ptr<Transform> make(const std::string& text) {
  return PIPELINES().build(cfg(text), BuildContext("pipeline[0]"));
}

// An H x W x 3 uint8 frame whose pixel (y, x, c) is (seed + 7y + 3x + c) mod 256.
cv::Mat pattern(int h, int w, int seed = 0) {
  cv::Mat m(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) m.ptr<uint8_t>(y)[3 * x + c] = (seed + 7 * y + 3 * x + c) % 256;
  return m;
}

Sample rgb_sample(int h, int w, int frames = 2, uint64_t seed = 0) {
  Sample s;
  s.info.set("modality", "RGB");
  s.info.set("img_shape", Value::tuple({h, w}));
  for (int i = 0; i < frames; ++i) s.imgs.push_back(pattern(h, w, 40 * i));
  s.rng.seed(seed);
  return s;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

Value ints(std::initializer_list<int64_t> v) {
  List l(v.begin(), v.end());
  return Value::list(l);
}

std::vector<double> floats(const Value& v) {
  std::vector<double> out;
  for (const Value& x : v.as_list()) out.push_back(x.as_float());
  return out;
}

std::string err(const std::function<void()>& f) {
  return test::error_of(f);
}

// ---- Resize ----------------------------------------------------------------------------

TEST(TransformsResize, ShortSideKeepsRatioWithMmcvRounding) {
  Sample s = rgb_sample(240, 320);
  make("dict(type='Resize', scale=(-1, 256))")->apply(s);
  EXPECT_EQ(s.info.at("img_shape"), Value::tuple({256, 341}));  // int(320 * 256 / 240 + 0.5)
  EXPECT_EQ(s.imgs[0].cols, 341);
  EXPECT_EQ(s.imgs[0].rows, 256);
  EXPECT_EQ(s.info.at("keep_ratio"), Value(true));
  auto sf = floats(s.info.at("scale_factor"));
  EXPECT_EQ(sf[0], static_cast<double>(static_cast<float>(341.0 / 320)));
  EXPECT_EQ(sf[1], static_cast<double>(static_cast<float>(256.0 / 240)));
  EXPECT_TRUE(s.info.at("scale_factor").is_list());
}

TEST(TransformsResize, FactorTupleAndExactSize) {
  Sample a = rgb_sample(6, 10);
  make("dict(type='Resize', scale=0.5)")->apply(a);
  EXPECT_EQ(a.info.at("img_shape"), Value::tuple({3, 5}));  // int(10*.5+.5), int(6*.5+.5)
  Sample b = rgb_sample(240, 320);
  make("dict(type='Resize', scale=(340, 256))")->apply(b);  // factor min(340/320, 256/240)
  EXPECT_EQ(b.info.at("img_shape"), Value::tuple({255, 340}));
  Sample c = rgb_sample(240, 320);
  make("dict(type='Resize', scale=(171, 128), keep_ratio=False)")->apply(c);
  EXPECT_EQ(c.info.at("img_shape"), Value::tuple({128, 171}));
  EXPECT_EQ(c.imgs[1].cols, 171);
  EXPECT_EQ(c.info.at("keep_ratio"), Value(false));
  // Factors accumulate as float32 products.
  make("dict(type='Resize', scale=(342, 256), keep_ratio=False)")->apply(c);
  auto sf = floats(c.info.at("scale_factor"));
  EXPECT_EQ(sf[0],
            static_cast<double>(static_cast<float>(171.0 / 320) * static_cast<float>(342.0 / 171)));
}

TEST(TransformsResize, NearestDuplicatesPixelsAndScalesBoxes) {
  Sample s = rgb_sample(2, 2, 1);
  s.set_tensor("gt_bboxes", torch::tensor({{0.f, 0.f, 1.f, 1.f}}));
  make("dict(type='Resize', scale=(4, 4), keep_ratio=False, interpolation='nearest')")->apply(s);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x)
      EXPECT_EQ(s.imgs[0].at<cv::Vec3b>(y, x), pattern(2, 2).at<cv::Vec3b>(y / 2, x / 2));
  EXPECT_TRUE(torch::equal(*s.tensor("gt_bboxes"), torch::tensor({{0.f, 0.f, 2.f, 2.f}})));
}

TEST(TransformsResize, Errors) {
  EXPECT_NE(err([] {
              make("dict(type='Resize', scale=256)");
            }).find("Scale must be float or tuple of int, but got <class 'int'>"),
            std::string::npos);
  EXPECT_NE(err([] {
              make("dict(type='Resize', scale=-0.5)");
            }).find("Invalid scale -0.5, must be positive."),
            std::string::npos);
  EXPECT_NE(err([] {
              make("dict(type='Resize', scale=(1, 2), interpolation='cubic')");
            }).find("interpolation"),
            std::string::npos);
  EXPECT_NE(err([] { make("dict(type='Resize', scale=(1, 2), lazy=True)"); }).find("lazy"),
            std::string::npos);
  EXPECT_NE(err([] { make("dict(type='Resize', scale=(1, 2), size=3)"); }).find("size"),
            std::string::npos);
  EXPECT_NE(err([] {
              make("dict(type='Resize', scale=0.5, keep_ratio=False)");
            }).find("keep_ratio=False"),
            std::string::npos);
}

TEST(TransformsRandomRescale, ShortEdgeInClosedRange) {
  auto t = make("dict(type='RandomRescale', scale_range=(20, 22))");
  std::set<int64_t> seen;
  for (uint64_t seed = 0; seed < 60; ++seed) {
    Sample s = rgb_sample(10, 20, 1, seed);
    t->apply(s);
    int64_t e = s.info.at("short_edge").as_int();
    seen.insert(e);
    EXPECT_EQ(s.info.at("img_shape"), Value::tuple({e, 2 * e}));
  }
  EXPECT_EQ(seen, (std::set<int64_t>{20, 21, 22}));
  EXPECT_NE(err([] { make("dict(type='RandomRescale', scale_range=[20, 22])"); }), "no error");
  EXPECT_NE(err([] { make("dict(type='RandomRescale', scale_range=(22, 20))"); }), "no error");
}

// ---- crops -----------------------------------------------------------------------------

TEST(TransformsRandomCrop, OffsetsExcludeTheLastPositionAsNumpy) {
  auto t = make("dict(type='RandomCrop', size=4)");
  std::set<std::pair<int64_t, int64_t>> seen;
  for (uint64_t seed = 0; seed < 400; ++seed) {
    Sample s = rgb_sample(8, 10, 2, seed);
    cv::Mat source = s.imgs[1].clone();
    t->apply(s);
    const List& box = s.info.at("crop_bbox").as_list();
    int64_t x = box[0].as_int(), y = box[1].as_int();
    seen.insert({x, y});
    EXPECT_EQ(s.info.at("crop_bbox"), ints({x, y, x + 4, y + 4}));
    EXPECT_TRUE(same(s.imgs[1], source(cv::Rect(x, y, 4, 4))));
    EXPECT_EQ(s.info.at("img_shape"), Value::tuple({4, 4}));
  }
  EXPECT_EQ(seen.size(), 6u * 4u);  // x in [0, 5], y in [0, 3]: never 6 or 4
  Sample a = rgb_sample(8, 10, 1, 7), b = rgb_sample(8, 10, 1, 7);
  t->apply(a);
  t->apply(b);
  EXPECT_EQ(a.info.at("crop_bbox"), b.info.at("crop_bbox"));
}

TEST(TransformsRandomCrop, QuadrupleAndErrors) {
  Sample s = rgb_sample(4, 4, 1);
  make("dict(type='RandomCrop', size=4)")->apply(s);
  EXPECT_EQ(floats(s.info.at("crop_quadruple")), (std::vector<double>{0, 0, 1, 1}));
  EXPECT_NE(err([] {
              make("dict(type='RandomCrop', size=4.0)");
            }).find("Size must be an int, but got <class 'float'>"),
            std::string::npos);
  Sample small = rgb_sample(3, 3, 1);
  EXPECT_NE(err([&] { make("dict(type='RandomCrop', size=4)")->apply(small); }), "no error");
}

TEST(TransformsCenterCrop, BboxQuadrupleAndPixels) {
  Sample s = rgb_sample(256, 340, 1);
  cv::Mat source = s.imgs[0].clone();
  make("dict(type='CenterCrop', crop_size=224)")->apply(s);
  EXPECT_EQ(s.info.at("crop_bbox"), ints({58, 16, 282, 240}));
  EXPECT_EQ(s.info.at("img_shape"), Value::tuple({224, 224}));
  auto q = floats(s.info.at("crop_quadruple"));
  EXPECT_EQ(q[0], static_cast<double>(static_cast<float>(58.0 / 340)));
  EXPECT_EQ(q[3], static_cast<double>(static_cast<float>(224.0 / 256)));
  EXPECT_TRUE(same(s.imgs[0], source(cv::Rect(58, 16, 224, 224))));
  // A second crop composes the quadruple: x = 58/340 + (1/224) * (224/340).
  make("dict(type='CenterCrop', crop_size=(222, 220))")->apply(s);
  EXPECT_EQ(s.info.at("crop_bbox"), ints({1, 2, 223, 222}));
  q = floats(s.info.at("crop_quadruple"));
  float w0 = static_cast<float>(224.0 / 340);
  EXPECT_EQ(q[0], static_cast<double>(static_cast<float>(static_cast<float>(58.0 / 340) +
                                                         (1.0 / 224) * static_cast<double>(w0))));
  EXPECT_NE(err([] {
              make("dict(type='CenterCrop', crop_size=22.5)");
            }).find("Crop_size must be int or tuple of int, but got <class 'float'>"),
            std::string::npos);
}

TEST(TransformsCenterCrop, CropsBoxesAndKeypoints) {
  Sample s = rgb_sample(10, 10, 1);
  s.set_tensor("gt_bboxes", torch::tensor({{1.f, 2.f, 9.f, 9.f}}));
  s.set_tensor("keypoint", torch::tensor({{{{5.f, 5.f}}}}));
  make("dict(type='CenterCrop', crop_size=6)")->apply(s);  // bbox [2, 2, 8, 8]
  EXPECT_TRUE(torch::equal(*s.tensor("gt_bboxes"), torch::tensor({{0.f, 0.f, 5.f, 5.f}})));
  EXPECT_TRUE(torch::equal(*s.tensor("keypoint"), torch::tensor({{{{3.f, 3.f}}}})));
}

TEST(TransformsThreeCrop, LeftRightMiddleAllFramesOfACropFirst) {
  Sample s = rgb_sample(4, 8, 2);
  std::vector<cv::Mat> src{s.imgs[0].clone(), s.imgs[1].clone()};
  make("dict(type='ThreeCrop', crop_size=4)")->apply(s);
  ASSERT_EQ(s.imgs.size(), 6u);
  const int xs[] = {0, 4, 2};
  for (int k = 0; k < 3; ++k)
    for (int f = 0; f < 2; ++f) {
      EXPECT_TRUE(same(s.imgs[2 * k + f], src[f](cv::Rect(xs[k], 0, 4, 4))));
      EXPECT_EQ(s.info.at("crop_bbox").as_list()[2 * k + f], ints({xs[k], 0, xs[k] + 4, 4}));
    }
  EXPECT_EQ(s.info.at("img_shape"), Value::tuple({4, 4}));
  Sample v = rgb_sample(9, 3, 1);
  make("dict(type='ThreeCrop', crop_size=3)")->apply(v);  // top, bottom, middle
  EXPECT_EQ(v.info.at("crop_bbox").as_list()[1], ints({0, 6, 3, 9}));
  EXPECT_EQ(v.info.at("crop_bbox").as_list()[2], ints({0, 3, 3, 6}));
  Sample bad = rgb_sample(9, 9, 1);
  EXPECT_NE(err([&] { make("dict(type='ThreeCrop', crop_size=3)")->apply(bad); }), "no error");
}

TEST(TransformsTenCrop, CornersCentreThenFlips) {
  Sample s = rgb_sample(10, 10, 2);
  std::vector<cv::Mat> src{s.imgs[0].clone(), s.imgs[1].clone()};
  make("dict(type='TenCrop', crop_size=6)")->apply(s);
  ASSERT_EQ(s.imgs.size(), 20u);
  const int off[5][2] = {{0, 0}, {4, 0}, {0, 4}, {4, 4}, {2, 2}};
  for (int k = 0; k < 5; ++k)
    for (int f = 0; f < 2; ++f) {
      cv::Mat crop = src[f](cv::Rect(off[k][0], off[k][1], 6, 6)), flipped;
      cv::flip(crop, flipped, 1);
      EXPECT_TRUE(same(s.imgs[4 * k + f], crop)) << k << " " << f;
      EXPECT_TRUE(same(s.imgs[4 * k + 2 + f], flipped)) << k << " " << f;
      EXPECT_EQ(s.info.at("crop_bbox").as_list()[4 * k + 2 + f],
                ints({off[k][0], off[k][1], off[k][0] + 6, off[k][1] + 6}));
    }
}

TEST(TransformsMultiScaleCrop, FixedCandidatesAndSnapping) {
  auto t = make(
      "dict(type='MultiScaleCrop', input_size=7, scales=(1, 0.5), random_crop=False, "
      "max_wh_scale_gap=1)");
  std::set<std::vector<int64_t>> seen;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    Sample s = rgb_sample(8, 12, 1, seed);
    t->apply(s);
    std::vector<int64_t> box;
    for (const Value& v : s.info.at("crop_bbox").as_list()) box.push_back(v.as_int());
    seen.insert(box);
    EXPECT_EQ(s.info.at("scales"), Value::tuple({1, 0.5}));
  }
  // base 8: sides 8 and 4; 8 snaps to input_size 7. (w, h) in {7,4}^2, 5 fixed offsets each.
  std::set<std::vector<int64_t>> want;
  for (int64_t w : {7, 4})
    for (int64_t h : {7, 4}) {
      int64_t ws = (12 - w) / 4, hs = (8 - h) / 4;
      for (auto [x, y] : std::vector<std::pair<int64_t, int64_t>>{
               {0, 0}, {4 * ws, 0}, {0, 4 * hs}, {4 * ws, 4 * hs}, {2 * ws, 2 * hs}})
        want.insert({x, y, x + w, y + h});
    }
  EXPECT_EQ(seen, want);
}

TEST(TransformsMultiScaleCrop, ThirteenCropsRandomCropAndErrors) {
  auto t = make("dict(type='MultiScaleCrop', input_size=4, scales=(0.5,), num_fixed_crops=13)");
  std::set<std::pair<int64_t, int64_t>> offsets;
  for (uint64_t seed = 0; seed < 400; ++seed) {
    Sample s = rgb_sample(16, 16, 1, seed);  // crop 8 (not within 3 of 4), steps 2
    t->apply(s);
    const List& box = s.info.at("crop_bbox").as_list();
    offsets.insert({box[0].as_int(), box[1].as_int()});
  }
  EXPECT_EQ(offsets.size(), 13u);
  auto r = make("dict(type='MultiScaleCrop', input_size=4, scales=(0.5,), random_crop=True)");
  std::set<int64_t> xs;
  for (uint64_t seed = 0; seed < 400; ++seed) {
    Sample s = rgb_sample(16, 16, 1, seed);
    r->apply(s);
    xs.insert(s.info.at("crop_bbox").as_list()[0].as_int());
  }
  EXPECT_EQ(xs.size(), 9u);  // random.randint(0, 8) includes both ends
  EXPECT_NE(err([] {
              make("dict(type='MultiScaleCrop', input_size=4, scales=[1])");
            }).find("Scales must be tuple, but got <class 'list'>"),
            std::string::npos);
  EXPECT_NE(err([] {
              make("dict(type='MultiScaleCrop', input_size=4, num_fixed_crops=6)");
            }).find("Num_fix_crops must be in [5, 13], but got 6"),
            std::string::npos);
  EXPECT_NE(err([] {
              make("dict(type='MultiScaleCrop', input_size=4.0)");
            }).find("Input_size must be int or tuple of int"),
            std::string::npos);
}

TEST(TransformsRandomResizedCrop, AreaAndRatioWithinRangeAndFallback) {
  auto t = make("dict(type='RandomResizedCrop', area_range=(0.25, 0.5))");
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Sample s = rgb_sample(60, 80, 1, seed);
    t->apply(s);
    const List& b = s.info.at("crop_bbox").as_list();
    double w = b[2].as_int() - b[0].as_int(), h = b[3].as_int() - b[1].as_int();
    EXPECT_GE(w * h, 0.25 * 4800 * 0.9);
    EXPECT_LE(w * h, 0.5 * 4800 * 1.1);
    EXPECT_GE(w / h, 0.7);
    EXPECT_LE(w / h, 1.4);
    EXPECT_LE(b[2].as_int(), 80);
    EXPECT_LE(b[3].as_int(), 60);
    EXPECT_EQ(s.imgs[0].cols, static_cast<int>(w));
  }
  // Every candidate is 14 wide: the fallback is the centred square of the short side.
  Sample s = rgb_sample(10, 12, 1);
  make("dict(type='RandomResizedCrop', area_range=(0.8, 0.8), aspect_ratio_range=(2.0, 2.0))")
      ->apply(s);
  EXPECT_EQ(s.info.at("crop_bbox"), ints({1, 0, 11, 10}));
  EXPECT_NE(err([] {
              make("dict(type='RandomResizedCrop', area_range=[0.1, 1.0])");
            }).find("Area_range must be a tuple of float, but got <class 'list'>"),
            std::string::npos);
  EXPECT_NE(err([] {
              make("dict(type='RandomResizedCrop', aspect_ratio_range=(1, 2))");
            }).find("Aspect_ratio_range must be a tuple of float"),
            std::string::npos);
}

// ---- Flip ------------------------------------------------------------------------------

TEST(TransformsFlip, RatioDirectionLabelMapAndKeys) {
  Sample s = rgb_sample(3, 4, 1);
  s.info.set("label", 1);
  cv::Mat src = s.imgs[0].clone(), want;
  make("dict(type='Flip', flip_ratio=1.0, flip_label_map={1: 2})")->apply(s);
  cv::flip(src, want, 1);
  EXPECT_TRUE(same(s.imgs[0], want));
  EXPECT_EQ(s.info.at("flip"), Value(true));
  EXPECT_EQ(s.info.at("flip_direction"), Value("horizontal"));
  EXPECT_EQ(s.info.at("label"), Value(2));
  Sample v = rgb_sample(3, 4, 1);
  make("dict(type='Flip', flip_ratio=1.0, direction='vertical')")->apply(v);
  cv::flip(src, want, 0);
  EXPECT_TRUE(same(v.imgs[0], want));
  Sample n = rgb_sample(3, 4, 1);
  make("dict(type='Flip', flip_ratio=0)")->apply(n);
  EXPECT_TRUE(same(n.imgs[0], src));
  EXPECT_EQ(n.info.at("flip"), Value(false));
}

// MMAction2 registers Compose in PIPELINES: a nested list runs in order, and an unknown inner
// type is named with its file, line and column.
TEST(TransformsCompose, NestedPipelineRunsInOrderAndNamesItsSteps) {
  Sample s = rgb_sample(3, 4, 1);
  cv::Mat src = s.imgs[0].clone(), flipped, want;
  make(
      "dict(type='Compose', transforms=[dict(type='Flip', flip_ratio=1.0), "
      "dict(type='Flip', flip_ratio=1.0, direction='vertical')])")
      ->apply(s);
  cv::flip(src, flipped, 1);
  cv::flip(flipped, want, 0);
  EXPECT_TRUE(same(s.imgs[0], want));
  EXPECT_NE(err([] { make("dict(type='Compose')"); }).find("transforms"), std::string::npos);
  const std::string e = err([] { make("dict(type='Compose', transforms=[dict(type='Flp')])"); });
  EXPECT_NE(e.find(":1:38: 'Flp' is not in the PIPELINES registry; did you mean 'Flip'?"),
            std::string::npos)
      << e;
}

TEST(TransformsFlip, HalfTheSamplesAndDeterministic) {
  auto t = make("dict(type='Flip', flip_ratio=0.5)");
  int flipped = 0;
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    Sample s = rgb_sample(1, 2, 1, seed);
    t->apply(s);
    flipped += s.info.at("flip").as_bool();
  }
  EXPECT_NEAR(flipped, 1000, 100);
}

TEST(TransformsFlip, FlowInvertsXComponents) {
  Sample s;
  s.info.set("modality", "Flow");
  cv::Mat x = (cv::Mat_<uint8_t>(1, 3) << 0, 100, 255), y = (cv::Mat_<uint8_t>(1, 3) << 1, 2, 3);
  s.imgs = {x.clone(), y.clone()};
  make("dict(type='Flip', flip_ratio=1.0)")->apply(s);
  EXPECT_TRUE(same(s.imgs[0], (cv::Mat_<uint8_t>(1, 3) << 0, 155, 255)));
  EXPECT_TRUE(same(s.imgs[1], (cv::Mat_<uint8_t>(1, 3) << 3, 2, 1)));
  EXPECT_NE(err([&] { make("dict(type='Flip', direction='vertical')")->apply(s); }), "no error");
  EXPECT_NE(err([] { make("dict(type='Flip', direction='diagonal')"); })
                .find("Direction diagonal is not supported. Currently support ones are "
                      "['horizontal', 'vertical']"),
            std::string::npos);
}

TEST(TransformsFlip, KeypointsAndBoxes) {
  Sample s = rgb_sample(4, 10, 1);
  s.set_tensor("keypoint", torch::tensor({{{{2.f, 1.f}, {0.f, 3.f}, {7.f, 2.f}}}}));  // 1x1x3x2
  s.set_tensor("gt_bboxes", torch::tensor({{1.f, 0.f, 4.f, 3.f}}));
  make("dict(type='Flip', flip_ratio=1.0, left_kp=[0], right_kp=[2])")->apply(s);
  EXPECT_TRUE(
      torch::equal(*s.tensor("keypoint"), torch::tensor({{{{3.f, 2.f}, {0.f, 3.f}, {8.f, 1.f}}}})));
  EXPECT_TRUE(torch::equal(*s.tensor("gt_bboxes"), torch::tensor({{6.f, 0.f, 9.f, 3.f}})));
}

// ---- ColorJitter -----------------------------------------------------------------------

Sample solid(uint8_t r, uint8_t g, uint8_t b) {
  Sample s;
  s.info.set("modality", "RGB");
  s.imgs.push_back(cv::Mat(2, 2, CV_8UC3, cv::Scalar(r, g, b)));
  return s;
}

TEST(TransformsColorJitter, EachAdjustmentByHand) {
  Sample b = solid(100, 201, 3);
  make("dict(type='ColorJitter', brightness=(0.5, 0.5), contrast=0, saturation=0, hue=0)")
      ->apply(b);
  EXPECT_EQ(b.imgs[0].at<cv::Vec3b>(0, 0), cv::Vec3b(50, 100, 1));  // 100.5 truncates
  Sample s = solid(255, 0, 0);
  make("dict(type='ColorJitter', brightness=0, contrast=0, saturation=(0.0, 0.0), hue=0)")
      ->apply(s);
  EXPECT_EQ(s.imgs[0].at<cv::Vec3b>(1, 1), cv::Vec3b(76, 76, 76));  // 0.2989 * 255
  Sample c = solid(255, 0, 0);
  make("dict(type='ColorJitter', brightness=0, contrast=(0.5, 0.5), saturation=0, hue=0)")
      ->apply(c);
  EXPECT_EQ(c.imgs[0].at<cv::Vec3b>(0, 1), cv::Vec3b(165, 38, 38));  // x/2 + 76.2/2
  Sample h = solid(255, 0, 0);
  make("dict(type='ColorJitter', brightness=0, contrast=0, saturation=0, hue=(0.1, 0.1))")
      ->apply(h);
  cv::Vec3b px = h.imgs[0].at<cv::Vec3b>(0, 0);  // H 0 -> 25 (50 degrees): orange-yellow
  EXPECT_EQ(px[0], 255);
  EXPECT_GT(px[1], 150);
  EXPECT_EQ(px[2], 0);
  Sample m = solid(255, 0, 0);
  make("dict(type='ColorJitter', brightness=0, contrast=0, saturation=0, hue=(-0.1, -0.1))")
      ->apply(m);
  px = m.imgs[0].at<cv::Vec3b>(0, 0);  // H 0 -> 155: towards magenta
  EXPECT_EQ(px[0], 255);
  EXPECT_EQ(px[1], 0);
  EXPECT_GT(px[2], 150);
}

TEST(TransformsColorJitter, DeterministicPerSeedAndChecked) {
  auto t = make("dict(type='ColorJitter')");
  auto order = std::dynamic_pointer_cast<ColorJitter>(t)->order();
  std::set<int> ids(order.begin(), order.end());
  EXPECT_EQ(ids.size(), 4u);
  Sample a = rgb_sample(5, 5, 2, 3), b = rgb_sample(5, 5, 2, 3), c = rgb_sample(5, 5, 2, 4);
  t->apply(a);
  t->apply(b);
  t->apply(c);
  EXPECT_TRUE(same(a.imgs[1], b.imgs[1]));
  EXPECT_FALSE(same(a.imgs[1], c.imgs[1]));
  EXPECT_EQ(a.imgs[0].type(), CV_8UC3);
  EXPECT_NE(err([] { make("dict(type='ColorJitter', brightness=1.5)"); }), "no error");
  EXPECT_NE(err([] { make("dict(type='ColorJitter', hue=(0.2, 0.1))"); }), "no error");
}

// ---- Normalize -------------------------------------------------------------------------

TEST(TransformsNormalize, Float32AndBgr) {
  Sample s = solid(10, 20, 30);
  make("dict(type='Normalize', mean=[1.5, 2, 3], std=[2, 4, 0.3])")->apply(s);
  ASSERT_EQ(s.imgs[0].type(), CV_32FC3);
  cv::Vec3f px = s.imgs[0].at<cv::Vec3f>(1, 0);
  EXPECT_EQ(px[0], (10.f - 1.5f) / 2.f);
  EXPECT_EQ(px[2], (30.f - 3.f) / 0.3f);
  const Dict& norm = s.info.at("img_norm_cfg").as_dict();
  EXPECT_EQ(norm.at("mean"), Value::list({1.5, 2.0, 3.0}));
  EXPECT_EQ(norm.at("std").as_list()[2].as_float(), static_cast<double>(0.3f));
  EXPECT_EQ(norm.at("to_bgr"), Value(false));
  Sample b = solid(10, 20, 30);
  make("dict(type='Normalize', mean=[0, 0, 0], std=[1, 1, 1], to_bgr=True)")->apply(b);
  EXPECT_EQ(b.imgs[0].at<cv::Vec3f>(0, 0), cv::Vec3f(30, 20, 10));
}

TEST(TransformsNormalize, FlowPairsAndMagnitude) {
  Sample s;
  s.info.set("modality", "Flow");
  s.info.set("scale_factor", Value::list({0.5, 2.0}));
  s.imgs = {cv::Mat(1, 2, CV_8U, cv::Scalar(130)), cv::Mat(1, 2, CV_8U, cv::Scalar(120))};
  make("dict(type='Normalize', mean=[128, 128], std=[4, 2], adjust_magnitude=True)")->apply(s);
  ASSERT_EQ(s.imgs.size(), 1u);
  ASSERT_EQ(s.imgs[0].type(), CV_32FC2);
  EXPECT_EQ(s.imgs[0].at<cv::Vec2f>(0, 1), cv::Vec2f(0.25f, -8.f));
  EXPECT_EQ(s.info.at("img_norm_cfg").as_dict().at("adjust_magnitude"), Value(true));
}

TEST(TransformsNormalize, Errors) {
  EXPECT_NE(err([] {
              make("dict(type='Normalize', mean=1.0, std=[1])");
            }).find("Mean must be list, tuple or np.ndarray, but got <class 'float'>"),
            std::string::npos);
  EXPECT_NE(err([] {
              make("dict(type='Normalize', mean=[1], std=2)");
            }).find("Std must be list, tuple or np.ndarray, but got <class 'int'>"),
            std::string::npos);
  Sample s = solid(1, 2, 3);
  s.info.set("modality", "Audio");
  EXPECT_NE(err([&] {
              make("dict(type='Normalize', mean=[1, 1, 1], std=[1, 1, 1])")->apply(s);
            }).find("modality"),
            std::string::npos);
  Sample c = solid(1, 2, 3);
  EXPECT_NE(err([&] { make("dict(type='Normalize', mean=[1, 1], std=[1, 1])")->apply(c); }),
            "no error");
}

// ---- FormatShape, Collect, ToTensor ----------------------------------------------------

// Frame i (2 x 3 x C float32) holds 1000 i + 100 y + 10 x + c.
Sample numbered(int frames, int c = 3) {
  Sample s;
  s.info.set("modality", "RGB");
  for (int i = 0; i < frames; ++i) {
    cv::Mat m(2, 3, CV_32FC(c));
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 3; ++x)
        for (int k = 0; k < c; ++k) m.ptr<float>(y)[c * x + k] = 1000.f * i + 100 * y + 10 * x + k;
    s.imgs.push_back(m);
  }
  return s;
}

TEST(TransformsFormatShape, NCHWAndNCTHW) {
  Sample s = numbered(2);
  make("dict(type='FormatShape', input_format='NCHW')")->apply(s);
  const torch::Tensor& t = *s.tensor("imgs");
  EXPECT_EQ(t.sizes().vec(), (std::vector<int64_t>{2, 3, 2, 3}));
  EXPECT_EQ(t[1][2][1][0].item<float>(), 1000 + 100 + 2);
  EXPECT_TRUE(s.imgs.empty());
  EXPECT_EQ(s.info.at("input_shape"), Value::tuple({2, 3, 2, 3}));

  Sample v = numbered(8);  // 2 crops x num_clips 2 x clip_len 2
  v.info.set("num_clips", 2);
  v.info.set("clip_len", 2);
  make("dict(type='FormatShape', input_format='NCTHW')")->apply(v);
  const torch::Tensor& u = *v.tensor("imgs");
  EXPECT_EQ(u.sizes().vec(), (std::vector<int64_t>{4, 3, 2, 2, 3}));
  for (int n = 0; n < 4; ++n)
    for (int t2 = 0; t2 < 2; ++t2)
      EXPECT_EQ(u[n][1][t2][0][2].item<float>(), 1000.f * (2 * n + t2) + 20 + 1);
}

TEST(TransformsFormatShape, FlowProposalsCollapseAndErrors) {
  Sample f = numbered(4, 2);
  f.info.set("num_clips", 2);
  f.info.set("clip_len", 2);
  make("dict(type='FormatShape', input_format='NCHW_Flow')")->apply(f);
  const torch::Tensor& t = *f.tensor("imgs");
  EXPECT_EQ(t.sizes().vec(), (std::vector<int64_t>{2, 4, 2, 3}));
  EXPECT_EQ(t[1][3][0][0].item<float>(), 1000.f * 3 + 1);  // clip 1, t 1, y-component
  Sample p = numbered(4);
  p.info.set("num_proposals", 2);
  p.info.set("num_clips", 1);
  p.info.set("clip_len", 2);
  make("dict(type='FormatShape', input_format='NPTCHW')")->apply(p);
  EXPECT_EQ(p.tensor("imgs")->sizes().vec(), (std::vector<int64_t>{2, 2, 3, 2, 3}));
  EXPECT_EQ((*p.tensor("imgs"))[1][0][2][1][1].item<float>(), 2000.f + 110 + 2);
  Sample c = numbered(2);
  c.info.set("num_clips", 1);
  c.info.set("clip_len", 2);
  make("dict(type='FormatShape', input_format='NCTHW', collapse=True)")->apply(c);
  EXPECT_EQ(c.info.at("input_shape"), Value::tuple({3, 2, 2, 3}));
  EXPECT_NE(err([] {
              make("dict(type='FormatShape', input_format='NCWH')");
            }).find("The input format NCWH is invalid."),
            std::string::npos);
  Sample bad = numbered(3);
  bad.info.set("num_clips", 2);
  bad.info.set("clip_len", 2);
  EXPECT_NE(err([&] { make("dict(type='FormatShape', input_format='NCTHW')")->apply(bad); }),
            "no error");
  Sample u8 = rgb_sample(2, 2, 1);
  make("dict(type='FormatShape', input_format='NCHW')")->apply(u8);
  EXPECT_EQ(u8.tensor("imgs")->scalar_type(), torch::kUInt8);
}

TEST(TransformsCollect, KeepsKeysAndMeta) {
  Sample s = numbered(1);
  s.info.set("label", 3);
  s.info.set("filename", "a.mp4");
  s.info.set("num_clips", 1);
  make("dict(type='FormatShape', input_format='NCHW')")->apply(s);
  make("dict(type='Collect', keys=['imgs', 'label'], meta_keys=('filename',))")->apply(s);
  EXPECT_EQ(s.tensors.size(), 1u);
  EXPECT_EQ(s.info.size(), 2u);
  EXPECT_EQ(s.info.at("label"), Value(3));
  EXPECT_EQ(repr(s.info.at("img_metas")), "{'filename': 'a.mp4'}");
  Sample n = numbered(1);
  n.info.set("label", 3);
  make("dict(type='Collect', keys=['label'], meta_keys=[], nested=True)")->apply(n);
  EXPECT_EQ(repr(Value(n.info)), "{'label': [3]}");
  EXPECT_TRUE(n.imgs.empty());
  Sample m = numbered(1);
  EXPECT_NE(err([&] {
              make("dict(type='Collect', keys=['imgs'])")->apply(m);
            }).find("KeyError: 'filename'"),
            std::string::npos);  // MMAction2's default meta_keys need filename, pad_shape, ...
  EXPECT_NE(err([&] {
              make("dict(type='Collect', keys=['nope'], meta_keys=[])")->apply(m);
            }).find("KeyError: 'nope'"),
            std::string::npos);
}

TEST(TransformsToTensor, MmcvToTensorRules) {
  Sample s = rgb_sample(2, 2, 2);
  s.info.set("label", 5);
  s.info.set("score", 0.5);
  s.info.set("multi", Value::list({0, 1, 1}));
  s.info.set("boxes", Value::tuple({Value::list({1, 2.5})}));
  s.info.set("name", "x");
  make("dict(type='ToTensor', keys=['imgs', 'label', 'score', 'multi', 'boxes'])")->apply(s);
  EXPECT_TRUE(torch::equal(*s.tensor("label"), torch::tensor({5}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(*s.tensor("score"), torch::tensor({0.5f})));
  EXPECT_TRUE(torch::equal(*s.tensor("multi"), torch::tensor({0, 1, 1}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(*s.tensor("boxes"), torch::tensor({{1.f, 2.5f}})));
  EXPECT_EQ(s.tensor("imgs")->sizes().vec(), (std::vector<int64_t>{2, 2, 2, 3}));
  EXPECT_FALSE(s.info.contains("label"));
  EXPECT_NE(err([&] {
              make("dict(type='ToTensor', keys=['name'])")->apply(s);
            }).find("type <class 'str'> cannot be converted to tensor."),
            std::string::npos);
}

TEST(TransformsToTensor, ImageToTensorAndTranspose) {
  Sample s;
  s.set_tensor("img", torch::arange(24).reshape({2, 3, 4}));
  make("dict(type='ImageToTensor', keys=['img'])")->apply(s);
  EXPECT_EQ(s.tensor("img")->sizes().vec(), (std::vector<int64_t>{4, 2, 3}));
  make("dict(type='Transpose', keys=['img'], order=[1, 2, 0])")->apply(s);
  EXPECT_TRUE(torch::equal(*s.tensor("img"), torch::arange(24).reshape({2, 3, 4})));
  EXPECT_NE(err([&] { make("dict(type='Transpose', keys=['img'], order=[1, 0])")->apply(s); }),
            "no error");
}

TEST(TransformsCompose, TsnTestPipelineOnSyntheticFrames) {
  Compose pipeline(cfg("[dict(type='Resize', scale=(-1, 16)), dict(type='ThreeCrop', "
                       "crop_size=16), dict(type='Normalize', mean=[0, 0, 0], std=[1, 1, 1]), "
                       "dict(type='FormatShape', input_format='NCHW'), dict(type='Collect', "
                       "keys=['imgs', 'label'], meta_keys=[]), dict(type='ToTensor', "
                       "keys=['imgs'])]"),
                   "data.test.pipeline");
  Sample s = rgb_sample(12, 24, 3);
  s.info.set("label", 7);
  s.info.set("num_clips", 3);
  s.info.set("clip_len", 1);
  pipeline.apply(s);
  EXPECT_EQ(s.tensor("imgs")->sizes().vec(), (std::vector<int64_t>{9, 3, 16, 16}));
  EXPECT_EQ(s.info.at("label"), Value(7));
  EXPECT_EQ(s.info.size(), 1u);
  Sample empty;
  empty.info.set("modality", "RGB");
  EXPECT_NE(err([&] { pipeline.apply(empty); }).find("Resize (data.test.pipeline[0])"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::transforms_test
