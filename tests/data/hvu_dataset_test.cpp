// HVUDataset and LoadHVULabel against MMAction2 0.24.1 (tests/fixtures/hvu, written by
// tools/fixtures/make_hvu_fixtures.py): the infos of a video and a rawframe annotation file,
// the label / mask / category_mask tensors, evaluate()'s per-category mAP, and errors.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/datasets/hvu_dataset.h"
#include "tubelet/data/transforms/load_hvu_label.h"

namespace tubelet::hvu_dataset_test {
namespace {

std::filesystem::path fixture(const std::string& name) {
  return test::source_dir() / "tests/fixtures/hvu" / name;
}

const Dict& expected() {
  static const Dict e = from_json(test::read_text(fixture("expected.json"))).as_dict();
  return e;
}

std::shared_ptr<Dataset> build(const std::string& python_dict) {
  Dict cfg = load_config_text("dataset = " + python_dict, "hvu_dataset_test.py");
  return DATASETS().build(cfg.at("dataset"), BuildContext("data.train"));
}

std::string hvu_cfg(const std::string& file, const std::string& extra = "",
                    const std::string& pipeline = "[]") {
  return "dict(type='HVUDataset', ann_file='" + fixture(file).string() + "', pipeline=" + pipeline +
         ", tag_categories=['action', 'scene', 'object'], tag_category_nums=[5, 3, 4]" + extra +
         ")";
}

torch::Tensor floats(const Value& list) {
  std::vector<float> v;
  for (const Value& x : list.as_list()) v.push_back(static_cast<float>(x.as_float()));
  return torch::tensor(v);
}

TEST(HVUDataset, VideoInfosEqualMMAction2) {
  auto ds = build(hvu_cfg("hvu_video.json", ", data_prefix='data/hvu'"));
  const List& infos = expected().at("infos").as_list();
  ASSERT_EQ(ds->size(), static_cast<int64_t>(infos.size()));
  for (int64_t i = 0; i < ds->size(); ++i)
    EXPECT_EQ(to_json(Value(ds->info(i))), to_json(infos[static_cast<size_t>(i)])) << i;
  auto* hvu = dynamic_cast<HVUDataset*>(ds.get());
  ASSERT_NE(hvu, nullptr);
  EXPECT_EQ(hvu->dataset_type(), "video");
  EXPECT_EQ(hvu->num_tags(), 12);
  EXPECT_EQ(hvu->category_start(2), 8);
  // BaseDataset adds modality and start_index (0 by default for HVU) for the pipeline.
  Sample s = ds->get(0, 0);
  EXPECT_EQ(s.info.at("start_index").as_int(), 0);
  EXPECT_EQ(s.info.at("modality").as_str(), "RGB");
}

TEST(HVUDataset, RawframeInfosCarryTemplateStartIndexModality) {
  auto ds = build(hvu_cfg("hvu_rawframe.json", ", filename_tmpl='img_{:05}.jpg', start_index=1"));
  ASSERT_EQ(ds->size(), 2);
  const Dict& info = ds->info(1);
  EXPECT_EQ(info.at("frame_dir").as_str(), "v2");
  EXPECT_EQ(info.at("total_frames").as_int(), 7);
  EXPECT_EQ(info.at("filename_tmpl").as_str(), "img_{:05}.jpg");
  EXPECT_EQ(info.at("start_index").as_int(), 1);
  EXPECT_EQ(info.at("modality").as_str(), "RGB");
  EXPECT_EQ(dynamic_cast<HVUDataset*>(ds.get())->dataset_type(), "rawframe");
}

TEST(LoadHVULabel, TensorsEqualMMAction2ThroughCollect) {
  auto ds = build(hvu_cfg("hvu_video.json", ", data_prefix='data/hvu'",
                          "[dict(type='LoadHVULabel'), dict(type='Collect', keys=['label', "
                          "'mask', 'category_mask'], meta_keys=[])]"));
  const List& labels = expected().at("labels").as_list();
  for (int64_t i = 0; i < ds->size(); ++i) {
    Sample s = ds->get(i, 0);
    const Dict& e = labels[static_cast<size_t>(i)].as_dict();
    for (const char* key : {"label", "mask", "category_mask"}) {
      const torch::Tensor* t = s.tensor(key);
      ASSERT_NE(t, nullptr) << key;
      EXPECT_EQ(t->scalar_type(), torch::kFloat32) << key;
      EXPECT_TRUE(torch::equal(*t, floats(e.at(key)))) << key << " of video " << i;
    }
  }
}

TEST(LoadHVULabel, HandComputedAndErrors) {
  LoadHVULabel t;
  Sample s;
  s.info = from_json(R"({"categories": ["a", "b"], "category_nums": [2, 3],
                          "label": {"b": [0, -1], "zzz": [1]}})")
               .as_dict();
  t.apply(s);
  // -1 + start 2 = 1: a negative tag counts from the end of all tags only when below zero.
  EXPECT_TRUE(torch::equal(*s.tensor("label"), torch::tensor({0.f, 1.f, 1.f, 0.f, 0.f})));
  EXPECT_TRUE(torch::equal(*s.tensor("mask"), torch::tensor({0.f, 0.f, 1.f, 1.f, 1.f})));
  EXPECT_TRUE(torch::equal(*s.tensor("category_mask"), torch::tensor({0.f, 1.f})));

  Sample bad;
  bad.info =
      from_json(R"({"categories": ["a"], "category_nums": [2], "label": {"a": [2]}})").as_dict();
  EXPECT_NE(test::error_of([&] { t.apply(bad); }).find("out of range"), std::string::npos);
  Sample no_cat;
  no_cat.info = from_json(R"({"label": {"a": [0]}})").as_dict();
  EXPECT_NE(test::error_of([&] { t.apply(no_cat); }).find("categories"), std::string::npos);
  Sample not_dict;
  not_dict.info = from_json(R"({"categories": ["a"], "category_nums": [2], "label": 3})").as_dict();
  EXPECT_NE(test::error_of([&] { t.apply(not_dict); }).find("LoadHVULabel"), std::string::npos);
}

TEST(HVUDataset, EvaluateEqualsMMAction2) {
  auto ds = build(hvu_cfg("hvu_video.json", ", data_prefix='data/hvu'"));
  std::vector<torch::Tensor> rows;
  for (const Value& r : expected().at("results").as_list()) rows.push_back(floats(r));
  Dict got = ds->evaluate(torch::stack(rows), {}, {});
  const Dict& want = expected().at("eval").as_dict();
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [key, value] : want) {
    ASSERT_TRUE(got.contains(key.as_str())) << key.as_str();
    EXPECT_NEAR(got.at(key.as_str()).as_float(), value.as_float(), 1e-12) << key.as_str();
  }
  // Explicitly named, the only metric is the same.
  EXPECT_EQ(to_json(Value(ds->evaluate(torch::stack(rows), {"mean_average_precision"}, {}))),
            to_json(Value(got)));
  EXPECT_NE(test::error_of([&] {
              ds->evaluate(torch::stack(rows), {"top_k_accuracy"}, {});
            }).find("not supported"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              ds->evaluate(torch::stack(rows), {"mean_average_precision", "x"}, {});
            }).find("one metric"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              ds->evaluate(torch::zeros({2, 12}), {}, {});
            }).find("not equal to the dataset len"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              ds->evaluate(torch::zeros({6, 10}), {}, {});
            }).find("object"),
            std::string::npos);
}

TEST(HVUDataset, ConfigErrors) {
  test::TempDir dir;
  EXPECT_NE(test::error_of([&] {
              build(
                  "dict(type='HVUDataset', ann_file='x.json', pipeline=[], "
                  "tag_categories=['a'], tag_category_nums=[1, 2])");
            }).find("tag_category_nums"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              build(
                  "dict(type='HVUDataset', ann_file='x.txt', pipeline=[], "
                  "tag_categories=['a'], tag_category_nums=[1])");
            }).find(".json"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              build(
                  "dict(type='HVUDataset', ann_file='x.json', pipeline=[], "
                  "tag_category_nums=[1])");
            }).find("tag_categories"),
            std::string::npos);
  // Rawframes without filename_tmpl.
  EXPECT_NE(test::error_of([&] { build(hvu_cfg("hvu_rawframe.json")); }).find("filename_tmpl"),
            std::string::npos);
  // Both path keys, or neither.
  auto both = dir.write("both.json", R"([{"filename": "a", "frame_dir": "b", "label": {}}])");
  EXPECT_NE(test::error_of([&] {
              build("dict(type='HVUDataset', ann_file='" + both.string() +
                    "', pipeline=[], tag_categories=['a'], tag_category_nums=[1])");
            }).find("exactly one of"),
            std::string::npos);
  auto empty = dir.write("empty.json", "[]");
  EXPECT_NE(test::error_of([&] {
              build("dict(type='HVUDataset', ann_file='" + empty.string() +
                    "', pipeline=[], tag_categories=['a'], tag_category_nums=[1])");
            }).find("at least one"),
            std::string::npos);
  // A category no video has tags of: MMAction2 fails in np.stack.
  auto ds = build("dict(type='HVUDataset', ann_file='" + fixture("hvu_video.json").string() +
                  "', pipeline=[], tag_categories=['action', 'event'], "
                  "tag_category_nums=[5, 2])");
  EXPECT_NE(test::error_of([&] {
              ds->evaluate(torch::zeros({6, 7}), {}, {});
            }).find("event"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::hvu_dataset_test
