// Datasets built from config dicts through DATASETS: annotation formats (text lines, .json),
// what get() hands the pipeline, seeding, errors naming file:line / file and index, the
// wrappers, and evaluate() on hand-computed results.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <thread>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/datasets/activitynet_dataset.h"
#include "tubelet/data/datasets/base_dataset.h"
#include "tubelet/data/datasets/dataset_wrappers.h"
#include "tubelet/data/datasets/rawframe_dataset.h"

namespace tubelet::datasets_test {
namespace {

// Records what a pipeline step sees: one random draw and the keys present.
class DatasetsTestProbe : public Transform {
 public:
  void apply(Sample& s) override {
    s.info.set("probe_draw", Value(uniform01(s)));
    if (s.info.contains("fail")) throw std::runtime_error("probe failed on purpose");
  }
  std::string type() const override { return "DatasetsTestProbe"; }
};

TUBELET_REGISTER(PIPELINES, DatasetsTestProbe,
                 [](Args&) { return std::make_shared<DatasetsTestProbe>(); });

std::shared_ptr<Dataset> build(const std::string& python_dict) {
  Dict cfg = load_config_text("dataset = " + python_dict, "datasets_test.py");
  return DATASETS().build(cfg.at("dataset"), BuildContext("data.train"));
}

std::string q(const std::filesystem::path& p) {
  return "'" + p.string() + "'";
}

const char* kProbe = "[dict(type='DatasetsTestProbe')]";

TEST(VideoDataset, TextAnnotationsAndSample) {
  test::TempDir dir;
  auto ann = dir.write("list.txt", "a.mp4 3\nsub/b.mp4   7\n/abs/c.mp4 1\n");
  auto prefix = std::filesystem::canonical(dir.path());
  auto ds = build("dict(type='VideoDataset', ann_file=" + q(ann) +
                  ", data_prefix=" + q(dir.path()) + ", pipeline=" + kProbe + ")");
  ASSERT_EQ(ds->size(), 3);
  EXPECT_EQ(ds->info(0).at("filename").as_str(), (prefix / "a.mp4").string());
  EXPECT_EQ(ds->info(1).at("filename").as_str(), (prefix / "sub/b.mp4").string());
  EXPECT_EQ(ds->info(2).at("filename").as_str(), "/abs/c.mp4");  // osp.join keeps absolute
  EXPECT_EQ(ds->info(1).at("label"), Value(7));
  Sample s = ds->get(1, 42);
  EXPECT_EQ(s.info.at("modality").as_str(), "RGB");
  EXPECT_EQ(s.info.at("start_index"), Value(0));  // VideoDataset's default
  EXPECT_EQ(s.info.at("label"), Value(7));
  // The generator is seeded from `seed`: same seed, same draw; another seed, another.
  EXPECT_EQ(s.info.at("probe_draw"), ds->get(1, 42).info.at("probe_draw"));
  EXPECT_NE(s.info.at("probe_draw"), ds->get(1, 43).info.at("probe_draw"));
  EXPECT_FALSE(ds->info(1).contains("probe_draw"));  // get() works on a copy
}

TEST(VideoDataset, MultiLabelGivesOnehotTensor) {
  test::TempDir dir;
  auto ann = dir.write("list.txt", "a.mp4 0 3\nb.mp4 2\n");
  auto ds = build("dict(type='VideoDataset', ann_file=" + q(ann) +
                  ", multi_class=True, num_classes=5, pipeline=[])");
  EXPECT_EQ(ds->info(0).at("label"), Value::list({Value(0), Value(3)}));
  Sample s = ds->get(0, 0);
  ASSERT_NE(s.tensor("label"), nullptr);
  EXPECT_TRUE(s.tensor("label")->equal(torch::tensor({1.f, 0.f, 0.f, 1.f, 0.f})));
  EXPECT_EQ(s.info.at("label"), Value::list({Value(0), Value(3)}));  // for meta_keys
  EXPECT_NE(
      test::error_of([&] {
        build("dict(type='VideoDataset', ann_file=" + q(ann) + ", multi_class=True, pipeline=[])");
      }).find("num_classes"),
      std::string::npos);
}

TEST(VideoDataset, JsonAnnotations) {
  test::TempDir dir;
  auto ann = dir.write("ann.json",
                       R"([{"filename": "a.mp4", "label": [4], "total_frames": 30},
                           {"filename": "b.mp4", "label": [1]}])");
  auto ds = build("dict(type='VideoDataset', ann_file=" + q(ann) +
                  ", data_prefix='videos', pipeline=[])");
  EXPECT_EQ(ds->info(0).at("filename").as_str(), "videos/a.mp4");  // not a directory: kept
  EXPECT_EQ(ds->info(0).at("label"), Value(4));
  EXPECT_EQ(ds->info(0).at("total_frames"), Value(30));
  auto multi = build("dict(type='VideoDataset', ann_file=" + q(ann) +
                     ", multi_class=True, num_classes=6, pipeline=[])");
  EXPECT_TRUE(
      multi->get(0, 0).tensor("label")->equal(torch::tensor({0.f, 0.f, 0.f, 0.f, 1.f, 0.f})));
  auto bad = dir.write("bad.json", R"([{"filename": "a.mp4", "label": [1, 2]}])");
  EXPECT_NE(test::error_of([&] {
              build("dict(type='VideoDataset', ann_file=" + q(bad) + ", pipeline=[])");
            }).find("entry 0"),
            std::string::npos);
}

TEST(VideoDataset, BadLinesAndMissingFiles) {
  test::TempDir dir;
  auto err = [&](const std::string& text) {
    auto ann = dir.write("bad.txt", text);
    return test::error_of(
        [&] { build("dict(type='VideoDataset', ann_file=" + q(ann) + ", pipeline=[])"); });
  };
  const std::string file = (dir.path() / "bad.txt").string();
  EXPECT_NE(err("a.mp4 1\nb.mp4\n").find(file + ":2"), std::string::npos);
  EXPECT_NE(err("a.mp4 x1\n").find(file + ":1: label 'x1' is not an integer"), std::string::npos);
  EXPECT_NE(err("a.mp4 1\n\nb.mp4 2\n").find(file + ":2"), std::string::npos);
  EXPECT_NE(err("a.mp4 1 2\n").find(file + ":1"), std::string::npos);
  std::string missing = test::error_of([&] {
    build("dict(type='VideoDataset', ann_file=" + q(dir.path() / "none.txt") + ", pipeline=[])");
  });
  EXPECT_NE(missing.find("none.txt"), std::string::npos) << missing;
  EXPECT_NE(test::error_of([&] {
              build("dict(type='VideoDataset', ann_file=" + q(dir.path() / "x.txt") +
                    ", pipeline=[], num_frames=3)");
            }).find("num_frames"),
            std::string::npos);
}

TEST(VideoDataset, PipelineErrorsNameFileAndIndex) {
  test::TempDir dir;
  auto ann = dir.write("ann.json", R"([{"filename": "a.mp4", "label": [0]},
                                       {"filename": "b.mp4", "label": [0], "fail": 1}])");
  auto ds = build("dict(type='VideoDataset', ann_file=" + q(ann) + ", pipeline=" + kProbe + ")");
  std::string e = test::error_of([&] { ds->get(1, 0); });
  EXPECT_NE(e.find(ann.string()), std::string::npos) << e;
  EXPECT_NE(e.find("index 1 (b.mp4)"), std::string::npos) << e;
  EXPECT_NE(e.find("DatasetsTestProbe (data.train.pipeline[0]): probe failed"), std::string::npos)
      << e;
  EXPECT_NE(test::error_of([&] { ds->get(2, 0); }).find("out of range"), std::string::npos);
}

TEST(VideoDataset, GetIsThreadSafe) {
  test::TempDir dir;
  std::string text;
  for (int i = 0; i < 40; ++i) text += "v" + std::to_string(i) + ".mp4 " + std::to_string(i) + "\n";
  auto ann = dir.write("list.txt", text);
  auto ds = build("dict(type='VideoDataset', ann_file=" + q(ann) + ", pipeline=" + kProbe + ")");
  std::vector<double> serial(40), parallel(40);
  for (int i = 0; i < 40; ++i) serial[i] = ds->get(i, 1000 + i).info.at("probe_draw").as_float();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = t; i < 40; i += 4)
        parallel[i] = ds->get(i, 1000 + i).info.at("probe_draw").as_float();
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(serial, parallel);
}

TEST(RawframeDataset, SharedAnnotationsThroughSampleFrames) {
  TUBELET_REQUIRE_SHARED();
  auto assets = test::shared_dir() / "data/mmaction2-assets";
  const std::string pipeline =
      "[dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=2, test_mode=True)]";
  auto ds = build(
      "dict(type='RawframeDataset', ann_file=" + q(assets / "annotations/rawframe_test_list.txt") +
      ", data_prefix=" + q(assets) + ", pipeline=" + pipeline + ")");
  ASSERT_EQ(ds->size(), 2);
  Sample s = ds->get(0, 0);
  EXPECT_EQ(s.info.at("frame_dir").as_str(),
            (std::filesystem::canonical(assets) / "imgs").string());
  EXPECT_EQ(s.info.at("total_frames"), Value(5));
  EXPECT_EQ(s.info.at("label"), Value(127));
  EXPECT_EQ(s.info.at("filename_tmpl").as_str(), "img_{:05}.jpg");
  EXPECT_EQ(s.info.at("start_index"), Value(1));
  // The golden raw_tencrop case: the same sampler on the same 5 frames.
  std::vector<int64_t> inds;
  for (const Value& v : s.info.at("frame_inds").as_list()) inds.push_back(v.as_int());
  EXPECT_EQ(inds, (std::vector<int64_t>{1, 3, 5, 2, 1, 3, 5, 2}));

  auto offset = build("dict(type='RawframeDataset', ann_file=" +
                      q(assets / "annotations/rawframe_test_list_with_offset.txt") +
                      ", with_offset=True, filename_tmpl='{:05}.jpg', pipeline=[])");
  EXPECT_EQ(offset->info(0).at("offset"), Value(2));
  EXPECT_EQ(offset->info(0).at("total_frames"), Value(5));
  EXPECT_EQ(offset->get(0, 0).info.at("filename_tmpl").as_str(), "{:05}.jpg");

  auto multi = build("dict(type='RawframeDataset', ann_file=" +
                     q(assets / "annotations/rawframe_test_list_multi_label.txt") +
                     ", multi_class=True, num_classes=6, pipeline=[])");
  EXPECT_TRUE(
      multi->get(1, 0).tensor("label")->equal(torch::tensor({0.f, 0.f, 0.f, 1.f, 0.f, 1.f})));
  // RawframeDataset makes the onehot for a single int label too.
  EXPECT_TRUE(
      multi->get(0, 0).tensor("label")->equal(torch::tensor({0.f, 1.f, 0.f, 0.f, 0.f, 0.f})));
}

TEST(RawframeDataset, BadLines) {
  test::TempDir dir;
  auto err = [&](const std::string& text, const std::string& extra = "") {
    auto ann = dir.write("bad.txt", text);
    return test::error_of([&] {
      build("dict(type='RawframeDataset', ann_file=" + q(ann) + ", pipeline=[]" + extra + ")");
    });
  };
  const std::string file = (dir.path() / "bad.txt").string();
  EXPECT_NE(err("imgs 5 1\nimgs 5\n").find(file + ":2"), std::string::npos);
  EXPECT_NE(err("imgs 5 1\nimgs 5\n").find("missing label"), std::string::npos);
  EXPECT_NE(err("imgs five 1\n").find(file + ":1: total_frames 'five'"), std::string::npos);
  EXPECT_NE(err("imgs 5 1 2\n").find("multi_class"), std::string::npos);
  EXPECT_NE(err("imgs 5 1\n", ", with_offset=True").find(file + ":1"), std::string::npos);
}

TEST(RawframeDataset, SampleByClass) {
  test::TempDir dir;
  auto ann = dir.write("list.txt", "a 3 0\nb 3 0\nc 3 0\nd 3 1\n");
  auto ds = build("dict(type='RawframeDataset', ann_file=" + q(ann) +
                  ", sample_by_class=True, power=1.0, pipeline=[])");
  const auto& prob = dynamic_cast<const BaseDataset&>(*ds).class_prob();
  ASSERT_EQ(prob.size(), 2u);
  EXPECT_DOUBLE_EQ(prob[0].second, 0.75);
  EXPECT_DOUBLE_EQ(prob[1].second, 0.25);
  EXPECT_NE(test::error_of([&] {
              build("dict(type='RawframeDataset', ann_file=" + q(ann) +
                    ", sample_by_class=True, multi_class=True, num_classes=2, pipeline=[])");
            }).find("sample_by_class"),
            std::string::npos);
}

TEST(DatasetWrappers, RepeatAndConcat) {
  test::TempDir dir;
  auto a = dir.write("a.txt", "a0.mp4 0\na1.mp4 1\n");
  auto b = dir.write("b.txt", "b0.mp4 2\nb1.mp4 3\nb2.mp4 4\n");
  auto repeat = build(
      "dict(type='RepeatDataset', times=3, test_mode=True, dataset=dict("
      "type='VideoDataset', ann_file=" +
      q(a) + ", pipeline=[]))");
  ASSERT_EQ(repeat->size(), 6);
  EXPECT_EQ(repeat->info(5).at("filename").as_str(), "a1.mp4");
  EXPECT_EQ(repeat->get(4, 0).info.at("filename").as_str(), "a0.mp4");
  const auto& inner = dynamic_cast<const RepeatDataset&>(*repeat).dataset();
  EXPECT_TRUE(dynamic_cast<const BaseDataset&>(inner).options().test_mode);
  EXPECT_NE(test::error_of([&] { repeat->info(6); }).find("out of range"), std::string::npos);

  auto concat =
      build("dict(type='ConcatDataset', datasets=[dict(type='VideoDataset', ann_file=" + q(a) +
            ", pipeline=[]), dict(type='VideoDataset', ann_file=" + q(b) + ", pipeline=[])])");
  ASSERT_EQ(concat->size(), 5);
  EXPECT_EQ(concat->info(1).at("filename").as_str(), "a1.mp4");
  EXPECT_EQ(concat->info(2).at("filename").as_str(), "b0.mp4");
  EXPECT_EQ(concat->get(4, 0).info.at("filename").as_str(), "b2.mp4");
  EXPECT_NE(test::error_of([&] { concat->get(5, 0); }).find("out of range"), std::string::npos);
  // An inner config error names where it sits.
  std::string e = test::error_of([&] {
    build("dict(type='ConcatDataset', datasets=[dict(type='VideoDataset', ann_file=" + q(a) +
          ", pipeline=[dict(type='SampleFrames')])])");
  });
  EXPECT_NE(e.find("data.train.datasets[0].pipeline[0]"), std::string::npos) << e;
}

TEST(ActivityNetDataset, SharedAnnotationsAndFeatures) {
  TUBELET_REQUIRE_SHARED();
  auto assets = test::shared_dir() / "data/mmaction2-assets";
  auto ds = build("dict(type='ActivityNetDataset', ann_file=" +
                  q(assets / "annotations/action_test_anno.json") +
                  ", data_prefix=" + q(assets / "activitynet_features") +
                  ", pipeline=[dict(type='LoadLocalizationFeature'), "
                  "dict(type='GenerateLocalizationLabels')])");
  ASSERT_EQ(ds->size(), 2);
  EXPECT_EQ(ds->info(1).at("video_name").as_str(), "v_test2");
  EXPECT_EQ(ds->info(1).at("fps"), Value(24.0));
  Sample s = ds->get(1, 0);
  EXPECT_FALSE(s.info.contains("modality"));  // ActivityNetDataset adds only data_prefix
  EXPECT_EQ(s.tensor("raw_feature")->sizes(), (std::vector<int64_t>{400, 5}));
  // v_test2: 2 s, 48 frames, all with features; segment [1.0, 2.0] -> [0.5, 1.0].
  EXPECT_TRUE(s.tensor("gt_bbox")->equal(torch::tensor({{0.5, 1.0}}, torch::kDouble)));
  EXPECT_NE(test::error_of([&] {
              ds->evaluate(torch::zeros({2, 1}), {}, {});
            }).find("not implemented"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              build(
                  "dict(type='ActivityNetDataset', ann_file='x.json', pipeline=[], "
                  "modality='RGB')");
            }).find("modality"),
            std::string::npos);
}

TEST(DatasetEvaluate, HandComputedMetrics) {
  test::TempDir dir;
  auto ann = dir.write("list.txt", "a 0\nb 1\nc 2\nd 2\n");
  auto ds = build("dict(type='VideoDataset', ann_file=" + q(ann) + ", num_classes=3, pipeline=[])");
  // Predictions (argmax): 0, 2, 2, 1 -> top1 2/4; every label is within the top 2 but d's.
  auto results = torch::tensor(
      {{0.9, 0.05, 0.05}, {0.1, 0.3, 0.6}, {0.2, 0.1, 0.7}, {0.1, 0.8, 0.1}}, torch::kDouble);
  Dict options;
  Dict topk;
  topk.set("topk", Value::tuple({Value(1), Value(2)}));
  options.set("top_k_accuracy", Value(topk));
  Dict out = ds->evaluate(results, {"top_k_accuracy", "mean_class_accuracy"}, options);
  EXPECT_DOUBLE_EQ(out.at("top1_acc").as_float(), 0.5);
  EXPECT_DOUBLE_EQ(out.at("top2_acc").as_float(),
                   1.0);  // d: class 2 ties with 0, higher index first
  // Class 0: 1/1, class 1: 0/1, class 2: 1/2.
  EXPECT_DOUBLE_EQ(out.at("mean_class_accuracy").as_float(), 0.5);
  Dict defaults = ds->evaluate(results, {}, {});
  EXPECT_TRUE(defaults.contains("top1_acc") && defaults.contains("top5_acc"));
  Dict map = ds->evaluate(results, {"mean_average_precision", "mmit_mean_average_precision"}, {});
  // Class 0: AP 1; class 1: its sample ranks 2nd -> 1/2; class 2: c 1st, d 3rd -> (1 + 2/3)/2.
  EXPECT_DOUBLE_EQ(map.at("mean_average_precision").as_float(), (1 + 0.5 + 5.0 / 6) / 3);
  EXPECT_NE(test::error_of([&] { ds->evaluate(results.slice(0, 0, 3), {}, {}); }).find("3 != 4"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              ds->evaluate(results, {"recall"}, {});
            }).find("metric recall is not supported"),
            std::string::npos);
  topk.set("topk", Value::list({Value(1)}));
  options.set("top_k_accuracy", Value(topk));
  EXPECT_NE(test::error_of([&] {
              ds->evaluate(results, {"top_k_accuracy"}, options);
            }).find("topk must be int or tuple"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::datasets_test

namespace tubelet::datasets_test {
namespace {

// A dataset and a golden test pipeline as a user's config has them: the whole sample must be
// MMAction2's (shape, label, and the sums of the normalised frames).
void check_golden_pipeline(const std::string& golden_name, const std::string& dataset_type,
                           const std::string& annotation_line) {
  auto file = test::shared_dir() / "golden/pipeline" / golden_name;
  Value golden = test::decode_golden(from_json(test::read_text(file), file.string()));
  const Dict& g = golden.as_dict();
  test::TempDir dir;
  auto ann = dir.write("list.txt", annotation_line + "\n");
  Dict cfg;
  cfg.set("type", Value(dataset_type));
  cfg.set("ann_file", Value(ann.string()));
  cfg.set("data_prefix", Value((test::shared_dir() / "data/mmaction2-assets").string()));
  cfg.set("pipeline", g.at("pipeline"));
  cfg.set("test_mode", Value(true));
  auto ds = DATASETS().build(Value(cfg), BuildContext("data.test"));
  Sample s = ds->get(0, 0);
  const Dict& final = g.at("final").as_dict();
  const torch::Tensor* imgs = s.tensor("imgs");
  ASSERT_NE(imgs, nullptr) << golden_name;
  std::vector<int64_t> shape;
  for (const Value& d : final.at("imgs_shape").as_list()) shape.push_back(d.as_int());
  EXPECT_EQ(imgs->sizes(), shape) << golden_name;
  torch::Tensor x = imgs->to(torch::kDouble);
  const double sum = final.at("sum").as_float(), sumsq = final.at("sumsq").as_float();
  EXPECT_NEAR(x.sum().item<double>(), sum, 1e-6 * std::abs(sumsq)) << golden_name;
  EXPECT_NEAR(x.square().sum().item<double>(), sumsq, 1e-6 * sumsq) << golden_name;
  // Collect keeps the label as the plain int it is (only 'imgs' goes through ToTensor).
  EXPECT_EQ(s.info.at("label"), final.at("label")) << golden_name;
  EXPECT_EQ(s.info.size(), 1u) << golden_name;  // meta_keys=[]: nothing else is kept
}

TEST(DatasetPipelineGolden, RawframesTenCrop) {
  TUBELET_REQUIRE_SHARED();
  check_golden_pipeline("raw_tencrop__imgs_tf5.json", "RawframeDataset", "imgs 5 127");
}

TEST(DatasetPipelineGolden, VideoCentreCrop) {
  TUBELET_REQUIRE_SHARED();
  check_golden_pipeline("tsn_center25__demo.mp4.json", "VideoDataset", "demo.mp4 0");
}

}  // namespace
}  // namespace tubelet::datasets_test

namespace tubelet::datasets_test {
namespace {

// Every dataset of MMAction2's own configs (golden/config, as mmcv parsed them) is accepted
// argument for argument: with the pipeline left out, what fails is only the missing
// annotation file.
TEST(DatasetsGolden, Mmaction2ConfigsDatasetArguments) {
  TUBELET_REQUIRE_SHARED();
  int built = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(test::shared_dir() / "golden/config")) {
    if (entry.path().extension() != ".json") continue;
    Value cfg =
        test::decode_golden(from_json(test::read_text(entry.path()), entry.path().string()));
    const Value* data = cfg.as_dict().find("data");
    if (!data) continue;
    for (const char* phase : {"train", "val", "test"}) {
      const Value* d = data->as_dict().find(phase);
      if (!d || !d->is_dict()) continue;
      Value dataset = *d;
      dataset.mutable_dict().set("pipeline", Value::list());
      const Value& ann = dataset.as_dict().at("ann_file");
      std::string e = test::error_of(
          [&] { DATASETS().build(dataset, BuildContext(std::string("data.") + phase)); });
      // Inference configs leave ann_file None (MMAction2 fails there too).
      std::string expected = ann.is_str() ? "cannot open annotation file '" + ann.as_str() + "'"
                                          : "argument 'ann_file' expects str, got NoneType";
      EXPECT_NE(e.find(expected), std::string::npos)
          << entry.path().filename() << " data." << phase << ": " << e;
      ++built;
    }
  }
  EXPECT_GT(built, 300);
}

}  // namespace
}  // namespace tubelet::datasets_test
