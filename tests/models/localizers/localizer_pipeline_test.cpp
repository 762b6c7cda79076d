// The localizers fed by the data side as the localization configs set it up: an
// ActivityNetDataset over small feature files, Collect(meta_name='video_meta') and
// ToDataContainer(stack=False) for the ragged gt_bbox, collated by the loader.
#include <gtest/gtest.h>

#include "localizer_fixture.h"
#include "tubelet/data/dataset.h"
#include "tubelet/data/dataset_loader.h"
#include "tubelet/data/registries.h"
#include "tubelet/models/localizers/bmn.h"
#include "tubelet/models/localizers/tem.h"

namespace tubelet::localizer_pipeline_test {
namespace {

using namespace test_localizers;

constexpr const char* kAnnotations = R"({
  "v_one": {"duration_second": 4.0, "duration_frame": 96, "feature_frame": 96,
            "annotations": [{"segment": [0.5, 2.0], "label": "a"}]},
  "v_two": {"duration_second": 8.0, "duration_frame": 200, "feature_frame": 192,
            "annotations": [{"segment": [0.0, 1.5], "label": "a"},
                            {"segment": [4.0, 7.5], "label": "b"}]}
})";

std::string feature_csv(int64_t channels, int64_t steps, double offset) {
  std::string text;
  for (int64_t c = 0; c < channels; ++c) text += (c ? ",f" : "f") + std::to_string(c);
  text += "\n";
  for (int64_t t = 0; t < steps; ++t) {
    for (int64_t c = 0; c < channels; ++c)
      text += (c ? "," : "") + std::to_string(std::sin(offset + 0.3 * double(t * channels + c)));
    text += "\n";
  }
  return text;
}

std::shared_ptr<Dataset> dataset(const test::TempDir& dir, const std::string& pipeline) {
  std::string text = "dataset = dict(type='ActivityNetDataset', ann_file='" +
                     (dir.path() / "anno.json").string() + "', data_prefix='" +
                     dir.path().string() + "', pipeline=" + pipeline + ")\n";
  Dict cfg = load_config_text(text, "/tmp/localizer_data.py");
  return DATASETS().build(cfg.at("dataset"), BuildContext("data.train"));
}

constexpr const char* kTrainPipeline =
    "[dict(type='LoadLocalizationFeature'), dict(type='GenerateLocalizationLabels'), "
    "dict(type='Collect', keys=['raw_feature', 'gt_bbox'], meta_name='video_meta', "
    "meta_keys=['video_name']), dict(type='ToTensor', keys=['raw_feature', 'gt_bbox']), "
    "dict(type='ToDataContainer', fields=[dict(key='gt_bbox', stack=False, cpu_only=True)])]";

constexpr const char* kTestPipeline =
    "[dict(type='LoadLocalizationFeature'), dict(type='Collect', keys=['raw_feature'], "
    "meta_name='video_meta', meta_keys=['video_name', 'duration_second', 'duration_frame', "
    "'annotations', 'feature_frame']), dict(type='ToTensor', keys=['raw_feature'])]";

class LocalizerPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.write("anno.json", kAnnotations);
    dir.write("v_one.csv", feature_csv(8, 8, 0.0));
    dir.write("v_two.csv", feature_csv(8, 8, 1.0));
  }
  Batch collated(const std::string& pipeline, std::vector<int64_t> indices) {
    auto ds = dataset(dir, pipeline);
    std::vector<Sample> samples;
    for (int64_t i : indices) samples.push_back(ds->get(i, 0));
    return collate(samples);
  }
  test::TempDir dir;
};

TEST_F(LocalizerPipeline, RaggedGtBboxReachesBmnAndTem) {
  Batch batch = collated(kTrainPipeline, {0, 1});
  const std::vector<torch::Tensor>* gt = batch.list("gt_bbox");
  ASSERT_TRUE(gt);
  ASSERT_EQ(gt->size(), 2u);
  EXPECT_EQ((*gt)[0].sizes(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ((*gt)[1].sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_FALSE(batch.has("gt_bbox"));
  EXPECT_EQ(batch.at("raw_feature").sizes(), (std::vector<int64_t>{2, 8, 8}));
  ASSERT_EQ(batch.metas.size(), 2u);
  EXPECT_EQ(batch.metas[1].at("video_name").as_str(), "v_two");

  auto bmn = build_as<BMNImpl>(
      "dict(type='BMN', temporal_dim=8, boundary_ratio=0.5, num_samples=4, "
      "num_samples_per_bin=2, feat_dim=8, soft_nms_alpha=0.4, soft_nms_low_threshold=0.5, "
      "soft_nms_high_threshold=0.9, post_process_top_k=5, hidden_dim_1d=8, hidden_dim_2d=4, "
      "hidden_dim_3d=8)");
  StepOutputs step = bmn->train_step(batch);
  EXPECT_TRUE(std::isfinite(step.loss.item<double>()));
  EXPECT_EQ(step.num_samples, 2);
  auto tem = build_as<TEMImpl>(
      "dict(type='TEM', temporal_dim=8, boundary_ratio=0.1, tem_feat_dim=8, tem_hidden_dim=4, "
      "tem_match_threshold=0.5)");
  EXPECT_TRUE(std::isfinite(tem->train_step(batch).loss.item<double>()));

  Batch test = collated(kTestPipeline, {1});
  bmn->eval();
  torch::NoGradGuard no_grad;
  List records = bmn->test_records(test);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].as_dict().at("video_name").as_str(), "v_two");
  const List& proposals = records[0].as_dict().at("proposal_list").as_list();
  ASSERT_EQ(proposals.size(), 5u);
  // 200 frames, features every 16: 192 frames of 8 s are covered.
  const double covered = 192.0 / 200.0 * 8.0;
  double previous = INFINITY;
  for (const Value& p : proposals) {
    const List& segment = p.as_dict().at("segment").as_list();
    EXPECT_GE(segment[0].as_float(), 0.0);
    EXPECT_LE(segment[1].as_float(), covered + 1e-12);
    EXPECT_LE(p.as_dict().at("score").as_float(), previous);
    previous = p.as_dict().at("score").as_float();
  }
  List tem_records = tem->test_records(test);
  EXPECT_EQ(tem_records[0].as_dict().at("tem_output").as_list().size(), 8u);
}

TEST_F(LocalizerPipeline, StackedGtBboxWithoutToDataContainerFailsClearly) {
  std::string pipeline = kTrainPipeline;
  pipeline = pipeline.substr(0, pipeline.find(", dict(type='ToDataContainer'")) + "]";
  std::string e = test::error_of([&] { collated(pipeline, {0, 1}); });
  EXPECT_NE(e.find("'gt_bbox' of sample 1 (v_"), std::string::npos) << e;
  EXPECT_NE(e.find(") has shape [2, 2]"), std::string::npos) << e;
}

}  // namespace
}  // namespace tubelet::localizer_pipeline_test
