// OmniSource's datasets and image steps: RawVideoDataset (a folder of clips per video, one
// clip drawn per sample) and ImageDataset, against MMAction2's own classes run on the same
// annotations (tests/fixtures/data/image_rawvideo_datasets.json); ImageDecode pixels on
// images written here with OpenCV; BuildPseudoClip; errors naming file:line or the path; and
// an image list through ImageDecode + BuildPseudoClip + FormatShape and the DatasetLoader.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/dataset_loader.h"
#include "tubelet/data/datasets/base_dataset.h"
#include "tubelet/data/datasets/rawvideo_dataset.h"
#include "tubelet/data/transform.h"

namespace tubelet::image_rawvideo_datasets_test {
namespace {

std::shared_ptr<Dataset> build(const std::string& python_dict) {
  Dict cfg = load_config_text("dataset = " + python_dict, "image_rawvideo_test.py");
  return DATASETS().build(cfg.at("dataset"), BuildContext("data.train"));
}

std::shared_ptr<Dataset> build(const std::string& type, const std::filesystem::path& ann,
                               const Dict& kwargs) {
  Dict cfg;
  cfg.set("type", Value(type));
  cfg.set("ann_file", Value(ann.string()));
  cfg.set("pipeline", Value::list({}));
  for (const auto& [k, v] : kwargs) cfg.set(k, v);
  return DATASETS().build(Value(cfg), BuildContext("data.train"));
}

std::string q(const std::filesystem::path& p) {
  return "'" + p.string() + "'";
}

Value fixture() {
  auto file = test::source_dir() / "tests/fixtures/data/image_rawvideo_datasets.json";
  return from_json(test::read_text(file), file.string());
}

void write_annotations(const test::TempDir& dir, const Dict& annotations) {
  for (const auto& [name, text] : annotations) dir.write(name.as_str(), text.as_str());
}

void expect_infos(const Dataset& ds, const List& expected, const std::string& what) {
  ASSERT_EQ(ds.size(), static_cast<int64_t>(expected.size())) << what;
  for (size_t i = 0; i < expected.size(); ++i)
    for (const auto& [key, value] : expected[i].as_dict())
      EXPECT_EQ(ds.info(static_cast<int64_t>(i)).at(key.as_str()), value)
          << what << " info " << i << " " << key.as_str();
}

void expect_class_prob(const Dataset& ds, const Value& expected, const std::string& what) {
  if (expected.is_none()) return;
  const auto& prob = dynamic_cast<const BaseDataset&>(ds).class_prob();
  ASSERT_EQ(prob.size(), expected.as_list().size()) << what;
  for (size_t i = 0; i < prob.size(); ++i) {
    EXPECT_EQ(prob[i].first, expected.as_list()[i].as_list()[0]) << what;
    EXPECT_DOUBLE_EQ(prob[i].second, expected.as_list()[i].as_list()[1].as_float()) << what;
  }
}

TEST(RawVideoDataset, MatchesMmaction2Fixture) {
  const Dict raw = fixture().as_dict().at("rawvideo").as_dict();
  test::TempDir dir;
  write_annotations(dir, raw.at("annotations").as_dict());
  for (const Value& c : raw.at("cases").as_list()) {
    const Dict& d = c.as_dict();
    const std::string what = d.at("name").as_str();
    auto ds = build("RawVideoDataset", dir.path() / d.at("ann").as_str(), d.at("kwargs").as_dict());
    expect_infos(*ds, d.at("video_infos").as_list(), what);
    expect_class_prob(*ds, d.at("class_prob"), what);
    const List& choices = d.at("choices").as_list();
    for (int64_t i = 0; i < ds->size(); ++i) {
      // The clip is drawn from the seeded generator: every choice MMAction2 could make is
      // reached over the seeds, nothing else is, and one seed always gives the same clip.
      std::set<std::string> expected, seen;
      for (const Value& name : choices[i].as_list()) expected.insert(name.as_str());
      for (uint64_t seed = 0; seed < 200; ++seed) {
        Sample s = ds->get(i, seed);
        seen.insert(s.info.at("filename").as_str());
        EXPECT_EQ(s.info.at("modality"), d.at("modality"));
        EXPECT_EQ(s.info.at("start_index"), d.at("start_index"));
      }
      EXPECT_EQ(seen, expected) << what << " index " << i;
      EXPECT_EQ(ds->get(i, 7).info.at("filename"), ds->get(i, 7).info.at("filename"));
    }
  }
}

TEST(ImageDataset, MatchesMmaction2Fixture) {
  const Dict image = fixture().as_dict().at("image").as_dict();
  test::TempDir dir;
  write_annotations(dir, image.at("annotations").as_dict());
  for (const Value& c : image.at("cases").as_list()) {
    const Dict& d = c.as_dict();
    const std::string what = d.at("name").as_str();
    auto ds = build("ImageDataset", dir.path() / d.at("ann").as_str(), d.at("kwargs").as_dict());
    expect_infos(*ds, d.at("video_infos").as_list(), what);
    expect_class_prob(*ds, d.at("class_prob"), what);
    const List& results = d.at("results").as_list();
    for (int64_t i = 0; i < ds->size(); ++i) {
      Sample s = ds->get(i, 0);
      const Dict& r = results[i].as_dict();
      EXPECT_EQ(s.info.at("filename"), r.at("filename")) << what;
      EXPECT_TRUE(s.info.at("start_index").is_none()) << what;  // start_index=None
      EXPECT_EQ(s.info.at("modality"), r.at("modality")) << what;
      if (const torch::Tensor* onehot = s.tensor("label")) {
        std::vector<float> want;
        for (const Value& v : r.at("label").as_list()) want.push_back(float(v.as_float()));
        EXPECT_TRUE(onehot->equal(torch::tensor(want))) << what;
      } else {
        EXPECT_EQ(s.info.at("label"), r.at("label")) << what;
      }
    }
  }
}

TEST(RawVideoDataset, BadAnnotationsAndArguments) {
  test::TempDir dir;
  auto err = [&](const std::string& text, const std::string& extra = "") {
    auto ann = dir.write("bad.txt", text);
    return test::error_of([&] {
      build("dict(type='RawVideoDataset', ann_file=" + q(ann) + ", pipeline=[]" + extra + ")");
    });
  };
  const std::string file = (dir.path() / "bad.txt").string();
  EXPECT_NE(err("a 1 2 0\nb 1\n").find(file + ":2: expected 'video_dir label num_clips"),
            std::string::npos);
  EXPECT_NE(err("a 1 2 0\n\n").find(file + ":2"), std::string::npos);
  EXPECT_NE(err("a x 2 0\n").find(file + ":1: label 'x' is not an integer"), std::string::npos);
  EXPECT_NE(err("a 1 two 0\n").find(file + ":1: num_clips 'two'"), std::string::npos);
  EXPECT_NE(err("a 1 2 0 z\n").find(file + ":1: positive clip index 'z'"), std::string::npos);
  EXPECT_NE(err("a 1 2 0\n", ", multi_class=True, num_classes=3").find("multi_class"),
            std::string::npos);
  EXPECT_NE(err("a 1 2 0\n", ", start_index=1").find("start_index"), std::string::npos);
  EXPECT_NE(err("a 1 2 0\n", ", sampling_strategy='all'").find("'positive' or 'random'"),
            std::string::npos);
  EXPECT_NE(err("a 1 2 0\n", ", num_frames=3").find("num_frames"), std::string::npos);
  auto json = dir.write("bad.json", R"([{"video_dir": "a", "label": 1, "num_clips": 2}])");
  EXPECT_NE(test::error_of([&] {
              build("dict(type='RawVideoDataset', ann_file=" + q(json) + ", pipeline=[])");
            }).find("positive_clip_inds"),
            std::string::npos);
  // 'random' needs no positive clips, but an empty range cannot be drawn from.
  auto empty = dir.write("empty.txt", "a 1 0\n");
  auto ds = build("dict(type='RawVideoDataset', ann_file=" + q(empty) +
                  ", sampling_strategy='random', pipeline=[])");
  EXPECT_NE(test::error_of([&] { ds->get(0, 0); }).find("num_clips is 0"), std::string::npos);
}

TEST(RawVideoDataset, MissingClipIsNamedByTheDecoder) {
  test::TempDir dir;
  auto ann = dir.write("list.txt", "videos/v1 3 2 1\n");
  auto ds = build("dict(type='RawVideoDataset', ann_file=" + q(ann) +
                  ", data_prefix=" + q(dir.path()) + ", pipeline=[dict(type='DecordInit')])");
  const std::string clip = (std::filesystem::canonical(dir.path()) / "videos/v1/part_1.mp4");
  std::string e = test::error_of([&] { ds->get(0, 0); });
  EXPECT_NE(e.find("RawVideoDataset (" + ann.string() + ") index 0 (" + clip + ")"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("DecordInit"), std::string::npos) << e;
}

TEST(RawVideoDataset, SharedClipsThroughDecoding) {
  TUBELET_REQUIRE_SHARED();
  auto assets = test::shared_dir() / "data/mmaction2-assets";
  const std::string pipeline =
      "[dict(type='OpenCVInit'), dict(type='SampleFrames', clip_len=2, frame_interval=1, "
      "num_clips=1, test_mode=True), dict(type='OpenCVDecode')]";
  // MMAction2's own test: the txt annotation's one positive clip is part_0.mp4.
  auto ds = build(
      "dict(type='RawVideoDataset', ann_file=" + q(assets / "annotations/rawvideo_test_anno.txt") +
      ", data_prefix=" + q(assets) + ", clipname_tmpl='part_{}.mp4', pipeline=" + pipeline + ")");
  ASSERT_EQ(ds->size(), 1);
  Sample s = ds->get(0, 3);
  EXPECT_EQ(s.info.at("filename").as_str(),
            (std::filesystem::canonical(assets) / "rawvideo_dataset/part_0.mp4").string());
  EXPECT_EQ(s.imgs.size(), 2u);
  EXPECT_GT(s.info.at("total_frames").as_int(), 0);
  auto json = build(
      "dict(type='RawVideoDataset', ann_file=" + q(assets / "annotations/rawvideo_test_anno.json") +
      ", data_prefix=" + q(assets) +
      ", sampling_strategy='random', test_mode=True, pipeline=" + pipeline + ")");
  std::set<std::string> seen;
  for (uint64_t seed = 0; seed < 20; ++seed)
    seen.insert(
        std::filesystem::path(json->get(0, seed).info.at("filename").as_str()).filename().string());
  EXPECT_EQ(seen, (std::set<std::string>{"part_0.mp4", "part_1.mp4"}));
}

Sample decode(const std::filesystem::path& file,
              const std::string& cfg = "dict(type='ImageDecode')") {
  auto step = PIPELINES().build(load_config_text("s = " + cfg, "t.py").at("s"), BuildContext("p"));
  Sample s;
  s.info.set("filename", Value(file.string()));
  step->apply(s);
  return s;
}

// A 3 x 4 BGR image whose pixels all differ.
cv::Mat bgr_pattern() {
  cv::Mat img(3, 4, CV_8UC3);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x)
      img.at<cv::Vec3b>(y, x) = cv::Vec3b(10 * x + y, 50 + 7 * y, 200 - x);
  return img;
}

TEST(ImageDecode, PngAndJpegPixelsAsMmcvImfrombytesRgb) {
  test::TempDir dir;
  const cv::Mat bgr = bgr_pattern();
  const auto png = dir.path() / "a.png";
  ASSERT_TRUE(cv::imwrite(png.string(), bgr));
  Sample s = decode(png);
  ASSERT_EQ(s.imgs.size(), 1u);
  const cv::Mat& rgb = s.imgs[0];
  ASSERT_EQ(rgb.type(), CV_8UC3);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x) {
      const cv::Vec3b want = bgr.at<cv::Vec3b>(y, x);  // PNG is lossless: channels swapped only
      EXPECT_EQ(rgb.at<cv::Vec3b>(y, x), cv::Vec3b(want[2], want[1], want[0]));
    }
  const Value shape = Value::tuple({Value(3), Value(4)});
  EXPECT_EQ(s.info.at("original_shape"), shape);
  EXPECT_EQ(s.info.at("img_shape"), shape);

  // A grayscale PNG comes back as three equal channels (IMREAD_COLOR).
  cv::Mat gray(2, 2, CV_8UC1);
  gray.at<uchar>(0, 0) = 0, gray.at<uchar>(0, 1) = 77, gray.at<uchar>(1, 0) = 128,
                    gray.at<uchar>(1, 1) = 255;
  ASSERT_TRUE(cv::imwrite((dir.path() / "g.png").string(), gray));
  Sample g = decode(dir.path() / "g.png",
                    "dict(type='ImageDecode', io_backend='disk', "
                    "decoding_backend='cv2')");
  EXPECT_EQ(g.imgs[0].at<cv::Vec3b>(0, 1), cv::Vec3b(77, 77, 77));
  EXPECT_EQ(g.imgs[0].at<cv::Vec3b>(1, 1), cv::Vec3b(255, 255, 255));

  // JPEG: what cv2.imdecode(IMREAD_COLOR) + BGR2RGB gives, i.e. lossy but channel-swapped.
  cv::Mat big;
  cv::resize(bgr, big, cv::Size(16, 12), 0, 0, cv::INTER_NEAREST);
  const auto jpg = dir.path() / "a.jpg";
  ASSERT_TRUE(cv::imwrite(jpg.string(), big));
  cv::Mat want = cv::imread(jpg.string(), cv::IMREAD_COLOR);
  cv::cvtColor(want, want, cv::COLOR_BGR2RGB);
  Sample j = decode(jpg);
  EXPECT_EQ(cv::norm(j.imgs[0], want, cv::NORM_INF), 0.0);
  EXPECT_EQ(j.info.at("img_shape"), Value::tuple({Value(12), Value(16)}));
}

TEST(ImageDecode, ErrorsNameTheFile) {
  test::TempDir dir;
  const auto missing = dir.path() / "none.jpg";
  EXPECT_NE(test::error_of([&] { decode(missing); }).find(missing.string()), std::string::npos);
  const auto junk = dir.write("junk.jpg", "not an image");
  EXPECT_NE(test::error_of([&] { decode(junk); }).find("cannot decode image '" + junk.string()),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              decode(junk, "dict(type='ImageDecode', io_backend='ceph')");
            }).find("io_backend"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              decode(junk, "dict(type='ImageDecode', decoding_backend='x')");
            }).find("decoding_backend"),
            std::string::npos);
  Sample none;
  auto step = PIPELINES().build(load_config_text("s = dict(type='ImageDecode')", "t.py").at("s"),
                                BuildContext("p"));
  EXPECT_NE(test::error_of([&] { step->apply(none); }).find("'filename'"), std::string::npos);
}

TEST(BuildPseudoClip, MatchesMmaction2Fixture) {
  const Dict pc = fixture().as_dict().at("pseudo_clip").as_dict();
  const List& rows = pc.at("image").as_list();
  cv::Mat img(2, 3, CV_8UC3);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 3; ++x)
      for (int c = 0; c < 3; ++c)
        img.at<cv::Vec3b>(y, x)[c] = uchar(rows[y].as_list()[x].as_list()[c].as_int());
  for (const Value& c : pc.at("cases").as_list()) {
    const Dict& d = c.as_dict();
    auto step =
        PIPELINES().build(load_config_text("s = dict(type='BuildPseudoClip', clip_len=" +
                                               std::to_string(d.at("clip_len").as_int()) + ")",
                                           "t.py")
                              .at("s"),
                          BuildContext("p"));
    Sample s;
    s.imgs.push_back(img.clone());
    step->apply(s);
    ASSERT_EQ(static_cast<int64_t>(s.imgs.size()), d.at("frames").as_int());
    EXPECT_EQ(s.info.at("clip_len"), d.at("out_clip_len"));
    EXPECT_EQ(s.info.at("num_clips"), d.at("num_clips"));
    for (const cv::Mat& f : s.imgs) EXPECT_EQ(cv::norm(f, img, cv::NORM_INF), 0.0);
    // Copies, as np.copy: changing one frame leaves the others.
    if (s.imgs.size() > 1) {
      s.imgs[0].setTo(cv::Scalar(0, 0, 0));
      EXPECT_EQ(cv::norm(s.imgs[1], img, cv::NORM_INF), 0.0);
    }
  }
  Sample two;
  two.imgs = {img.clone(), img.clone()};
  auto step = PIPELINES().build(
      load_config_text("s = dict(type='BuildPseudoClip', clip_len=4)", "t.py").at("s"),
      BuildContext("p"));
  EXPECT_NE(test::error_of([&] { step->apply(two); }).find("one single image"), std::string::npos);
  EXPECT_NE(test::error_of([&] {
              PIPELINES().build(
                  load_config_text("s = dict(type='BuildPseudoClip')", "t.py").at("s"),
                  BuildContext("p"));
            }).find("clip_len"),
            std::string::npos);
}

TEST(ImageDataset, PseudoClipsThroughTheLoader) {
  test::TempDir dir;
  cv::Mat a = bgr_pattern();
  cv::Mat b = cv::Scalar::all(255) - a;
  ASSERT_TRUE(cv::imwrite((dir.path() / "a.png").string(), a));
  ASSERT_TRUE(cv::imwrite((dir.path() / "b.png").string(), b));
  auto ann = dir.write("web.txt", "a.png 1\nb.png 0\n");
  // The OmniSource SlowOnly web-image pipeline, shrunk.
  const std::string pipeline =
      "[dict(type='ImageDecode'), dict(type='Resize', scale=(6, 4), keep_ratio=False), "
      "dict(type='BuildPseudoClip', clip_len=3), dict(type='Normalize', mean=[0., 0., 0.], "
      "std=[1., 1., 1.], to_bgr=False), dict(type='FormatShape', input_format='NCTHW'), "
      "dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]), "
      "dict(type='ToTensor', keys=['imgs', 'label'])]";
  auto ds = build("dict(type='ImageDataset', ann_file=" + q(ann) +
                  ", data_prefix=" + q(dir.path()) + ", pipeline=" + pipeline + ")");
  DataLoaderOptions o;
  o.videos_per_gpu = 2;
  o.workers_per_gpu = 0;
  o.shuffle = false;
  DatasetLoader loader(ds, o);
  loader.start();
  std::optional<Batch> batch = loader.next();
  ASSERT_TRUE(batch);
  const torch::Tensor& imgs = batch->at("imgs");
  EXPECT_EQ(imgs.sizes(), (std::vector<int64_t>{2, 1, 3, 3, 4, 6}));
  EXPECT_TRUE(batch->at("label").equal(torch::tensor({{1}, {0}}, torch::kLong)));  // [B, 1]
  // Every pseudo frame is the image; the two images are complements (255 - x), up to the
  // rounding of the bilinear resize.
  EXPECT_TRUE(imgs.select(3, 0).equal(imgs.select(3, 2)));
  EXPECT_LE((imgs[0] + imgs[1] - 255).abs().max().item<float>(), 1.0f);
  EXPECT_FALSE(loader.next());
}

// The image datasets of MMAction2's OmniSource configs (slowonly_..._googleimage_rgb.py,
// tsn_..._webimage_rgb.py), their train pipelines as written there, on a 300 x 200 image.
TEST(ImageDataset, OmniSourceConfigPipelines) {
  test::TempDir dir;
  cv::Mat img(200, 300, CV_8UC3);
  cv::randu(img, cv::Scalar::all(0), cv::Scalar::all(256));
  std::filesystem::create_directories(dir.path() / "web");
  ASSERT_TRUE(cv::imwrite((dir.path() / "web/a.jpg").string(), img));
  auto ann = dir.write("gg.txt", "web/a.jpg 7\n");
  const std::string head =
      "dict(type='ImageDecode'), dict(type='Resize', scale=(-1, 256)), "
      "dict(type='RandomResizedCrop'), dict(type='Resize', scale=(224, 224), keep_ratio=False), "
      "dict(type='Flip', flip_ratio=0.5), ";
  const std::string tail =
      "dict(type='Normalize', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], "
      "to_bgr=False), dict(type='FormatShape', input_format='%s'), "
      "dict(type='Collect', keys=['imgs', 'label'], meta_keys=[]), "
      "dict(type='ToTensor', keys=['imgs', 'label'])]";
  auto with_format = [&](const std::string& format) {
    std::string t = tail;
    return t.replace(t.find("%s"), 2, format);
  };
  auto slowonly = build("dict(type='ImageDataset', ann_file=" + q(ann) +
                        ", data_prefix=" + q(dir.path()) + ", pipeline=[" + head +
                        "dict(type='BuildPseudoClip', clip_len=8), " + with_format("NCTHW") + ")");
  Sample s = slowonly->get(0, 5);
  EXPECT_EQ(s.tensor("imgs")->sizes(), (std::vector<int64_t>{1, 3, 8, 224, 224}));
  EXPECT_TRUE(s.tensor("label")->equal(torch::tensor({7}, torch::kLong)));
  auto tsn =
      build("dict(type='ImageDataset', ann_file=" + q(ann) + ", data_prefix=" + q(dir.path()) +
            ", num_classes=200, sample_by_class=True, power=0.5, " + "pipeline=[" + head +
            with_format("NCHW") + ")");
  EXPECT_EQ(tsn->get(0, 5).tensor("imgs")->sizes(), (std::vector<int64_t>{1, 3, 224, 224}));
}

}  // namespace
}  // namespace tubelet::image_rawvideo_datasets_test
