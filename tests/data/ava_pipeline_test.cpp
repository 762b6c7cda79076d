// SampleAVAFrames and the AVA configs' pipelines on MMAction2's AVA test data, against MMAction2
// 0.24.1's outputs (tests/fixtures/ava_data/pipelines.pth and expected.json, made by
// tools/fixtures/make_ava_data_fixtures.py); the random train pipeline by its properties.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/dataset.h"
#include "tubelet/data/registries.h"
#include "tubelet/data/sampling/sample_ava_frames.h"

namespace ava_pipeline_test {

using namespace tubelet;
using torch::indexing::None;
using torch::indexing::Slice;
using tubelet::test::error_of;

std::filesystem::path ava_data(const std::string& f) {
  return tubelet::test::source_dir() / "tests/fixtures/ava_data" / f;
}

std::string q(const std::filesystem::path& p) {
  return "'" + p.string() + "'";
}

const char* kNorm = "mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_bgr=False";

std::shared_ptr<Dataset> build(const std::string& pipeline, bool test_mode) {
  const std::string text =
      "dataset = dict(type='AVADataset', ann_file=" + q(ava_data("ava_sample.csv")) +
      ", exclude_file=" + q(ava_data("ava_excluded_timestamps_sample.csv")) +
      ", proposal_file=" + q(ava_data("ava_proposals_sample.pkl")) +
      ", data_prefix=" + q(ava_data("rawframes")) +
      ", fps=1, test_mode=" + (test_mode ? "True" : "False") + ", pipeline=" + pipeline + ")\n";
  Dict cfg = load_config_text(text, "ava_pipeline_test.py");
  return DATASETS().build(cfg.at("dataset"), BuildContext("data.test"));
}

Sample make_sample(int64_t fps, int64_t timestamp, int64_t shot_end, int64_t start_index) {
  Sample s;
  s.info.set("fps", Value(fps));
  s.info.set("timestamp", Value(timestamp));
  s.info.set("timestamp_start", Value(int64_t{900}));
  s.info.set("shot_info", Value::tuple({Value(int64_t{0}), Value(shot_end)}));
  s.info.set("start_index", Value(start_index));
  return s;
}

std::vector<int64_t> inds_of(const Sample& s) {
  std::vector<int64_t> out;
  for (const Value& v : s.info.at("frame_inds").as_list()) out.push_back(v.as_int());
  return out;
}

TEST(AvaPipeline, SampleAVAFramesAroundTheKeyframe) {
  SampleAVAFrames test(4, 16, true);
  Sample s = make_sample(30, 902, 27000, 0);
  test.apply(s);
  // center = 30 * 2 + 1 = 61; from 61 - 2 * 16.
  EXPECT_EQ(inds_of(s), (std::vector<int64_t>{29, 45, 61, 77}));
  EXPECT_EQ(s.info.at("clip_len").as_int(), 4);
  EXPECT_EQ(s.info.at("frame_interval").as_int(), 16);
  EXPECT_EQ(s.info.at("num_clips").as_int(), 1);
  EXPECT_EQ(s.info.at("crop_quadruple").as_list().size(), 4u);
  // Clipped to the shot, then start_index added; odd clip_len.
  SampleAVAFrames odd(3, 16, true);
  Sample c = make_sample(1, 901, 20, 1);
  odd.apply(c);  // center 2: -14, 2, 18 -> 0, 2, 18 (+1)
  EXPECT_EQ(inds_of(c), (std::vector<int64_t>{1, 3, 19}));
  Sample c2 = make_sample(1, 905, 6, 0);
  odd.apply(c2);  // center 6: -10, 6, 22 -> 0, 5, 5
  EXPECT_EQ(inds_of(c2), (std::vector<int64_t>{0, 5, 5}));

  // Training: offsets in [-8, 8) around the test-mode positions, deterministic per seed.
  SampleAVAFrames train(4, 16, false);
  bool moved = false;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Sample t = make_sample(30, 902, 27000, 0);
    t.rng.seed(seed);
    train.apply(t);
    const auto inds = inds_of(t);
    const std::vector<int64_t> centre{29, 45, 61, 77};
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_GE(inds[i] - centre[i], -8);
      EXPECT_LT(inds[i] - centre[i], 8);
      moved = moved || inds[i] != centre[i];
    }
    Sample again = make_sample(30, 902, 27000, 0);
    again.rng.seed(seed);
    train.apply(again);
    EXPECT_EQ(inds_of(again), inds);
  }
  EXPECT_TRUE(moved);
  EXPECT_NE(error_of([] { SampleAVAFrames(0, 2, false); }).find("clip_len must be positive"),
            std::string::npos);
}

const Dict& expected_meta() {
  static const Value v =
      from_json(tubelet::test::read_text(ava_data("expected.json"))).as_dict().at("pipelines");
  return v.as_dict();
}

torch::Tensor fixture(const std::string& key) {
  static const checkpoint::StateDict sd =
      checkpoint::load_checkpoint(ava_data("pipelines.pth").string()).state_dict;
  for (const auto& item : sd)
    if (item.key() == key) return item.value();
  ADD_FAILURE() << "no " << key << " in pipelines.pth";
  return {};
}

void expect_equal_tensor(const torch::Tensor& ours, const torch::Tensor& mm,
                         const std::string& what) {
  ASSERT_TRUE(ours.defined()) << what;
  EXPECT_EQ(ours.scalar_type(), mm.scalar_type()) << what;
  ASSERT_EQ(ours.sizes(), mm.sizes()) << what;
  EXPECT_TRUE(torch::equal(ours.contiguous(), mm)) << what << "\nours " << ours << "\nmm " << mm;
}

// The image (strided values bitwise, (channel, frame) means closely), the other tensors
// bitwise, img_metas values exactly.
void expect_like_mmaction2(const std::string& name, const Dataset& ds,
                           const std::vector<std::string>& tensor_keys) {
  const List& metas = expected_meta().at(name).as_list();
  ASSERT_EQ(ds.size(), static_cast<int64_t>(metas.size()));
  for (int64_t i = 0; i < ds.size(); ++i) {
    SCOPED_TRACE(name + " " + std::to_string(i));
    const Sample s = ds.get(i, 0);
    const std::string p = name + "." + std::to_string(i) + ".";
    const torch::Tensor* img = s.tensor("img");
    ASSERT_NE(img, nullptr);
    const Dict& meta = metas[static_cast<size_t>(i)].as_dict();
    std::vector<int64_t> shape;
    for (const Value& x : meta.at("img_shape_full").as_list()) shape.push_back(x.as_int());
    ASSERT_EQ(img->sizes().vec(), shape);
    expect_equal_tensor(img->flatten().index({Slice(None, None, 509)}), fixture(p + "img_strided"),
                        "img (every 509th value)");
    EXPECT_TRUE(torch::allclose(img->to(torch::kDouble).mean({2, 3}), fixture(p + "img_means"),
                                1e-9, 1e-9));
    for (const std::string& key : tensor_keys) {
      const torch::Tensor* t = s.tensor(key);
      ASSERT_NE(t, nullptr) << key;
      expect_equal_tensor(*t, fixture(p + key), key);
    }
    EXPECT_EQ(s.tensors.size(), tensor_keys.size() + 1);
    const Value& metas_value = s.info.at("img_metas");
    const Dict& ours =
        metas_value.is_list() ? metas_value.as_list().at(0).as_dict() : metas_value.as_dict();
    for (const auto& [k, v] : meta.items()) {
      const std::string key = k.as_str();
      if (key == "img_shape_full") continue;
      const List& want = v.is_dict() ? v.as_dict().at("data").as_list() : v.as_list();
      const List& got = ours.at(key).as_list();
      ASSERT_EQ(got.size(), want.size()) << key;
      for (size_t j = 0; j < want.size(); ++j)
        EXPECT_EQ(got[j].as_float(), want[j].as_float()) << key;
    }
  }
}

TEST(AvaPipeline, ConfigValPipelineMatchesMMAction2) {
  const std::string val =
      std::string(
          "[dict(type='SampleAVAFrames', clip_len=4, frame_interval=16, test_mode=True),"
          " dict(type='RawFrameDecode'), dict(type='Resize', scale=(-1, 256)),"
          " dict(type='Normalize', ") +
      kNorm +
      "), dict(type='FormatShape', input_format='NCTHW', collapse=True),"
      " dict(type='Rename', mapping=dict(imgs='img')),"
      " dict(type='ToTensor', keys=['img', 'proposals']),"
      " dict(type='ToDataContainer', fields=[dict(key='proposals', stack=False)]),"
      " dict(type='Collect', keys=['img', 'proposals'], meta_keys=['scores', 'img_shape'],"
      " nested=True)]";
  auto ds = build(val, true);
  expect_like_mmaction2("val", *ds, {"proposals"});
  const Sample s = ds->get(0, 0);
  EXPECT_EQ(s.unstacked, (std::vector<std::string>{"proposals"}));
}

TEST(AvaPipeline, DeterministicTrainLikePipelineMatchesMMAction2) {
  const std::string pipe =
      std::string(
          "[dict(type='SampleAVAFrames', clip_len=4, frame_interval=16, test_mode=True),"
          " dict(type='RawFrameDecode'), dict(type='Resize', scale=(-1, 60)),"
          " dict(type='CenterCrop', crop_size=48), dict(type='Flip', flip_ratio=1.0),"
          " dict(type='Normalize', ") +
      kNorm +
      "), dict(type='FormatShape', input_format='NCTHW', collapse=True),"
      " dict(type='Rename', mapping=dict(imgs='img')),"
      " dict(type='ToTensor', keys=['img', 'proposals', 'gt_bboxes', 'gt_labels']),"
      " dict(type='ToDataContainer', fields=[dict(key=['proposals', 'gt_bboxes', 'gt_labels'],"
      " stack=False)]),"
      " dict(type='Collect', keys=['img', 'proposals', 'gt_bboxes', 'gt_labels'],"
      " meta_keys=['scores', 'entity_ids'])]";
  auto ds = build(pipe, true);
  expect_like_mmaction2("det_train", *ds, {"proposals", "gt_bboxes", "gt_labels"});
  EXPECT_EQ(ds->get(0, 0).unstacked,
            (std::vector<std::string>{"proposals", "gt_bboxes", "gt_labels"}));
  EXPECT_NE(error_of([] {
              build("[dict(type='ToDataContainer', fields=[dict(key=[3], stack=False)])]", true);
            }).find("key must be a str or a list of str"),
            std::string::npos);
}

TEST(AvaPipeline, RandomTrainPipelineKeepsBoxesWithTheImage) {
  // The config's train pipeline up to Flip; then the boxes follow from the recorded
  // scale, crop and flip.
  const std::string head =
      "[dict(type='SampleAVAFrames', clip_len=4, frame_interval=16),"
      " dict(type='RawFrameDecode'), dict(type='RandomRescale', scale_range=(256, 320)),"
      " dict(type='RandomCrop', size=256), dict(type='Flip', flip_ratio=0.5)";
  auto ds = build(head + "]", false);
  ASSERT_EQ(ds->size(), 1);  // the excluded timestamps are dropped in training
  bool flipped = false, unflipped = false;
  for (uint64_t seed = 0; seed < 12; ++seed) {
    const Sample s = ds->get(0, seed);
    ASSERT_EQ(s.imgs.size(), 4u);
    EXPECT_EQ(s.imgs[0].rows, 256);
    EXPECT_EQ(s.imgs[0].cols, 256);
    const List& crop = s.info.at("crop_bbox").as_list();
    const bool flip = s.info.at("flip").as_bool();
    (flip ? flipped : unflipped) = true;
    // The rescaled frame: short side in [256, 320], aspect 4:3 kept.
    const List& scale_factor = s.info.at("scale_factor").as_list();
    const double sx = scale_factor[0].as_float(), sy = scale_factor[1].as_float();
    EXPECT_GE(30 * sy, 255.5);
    EXPECT_LE(30 * sy, 320.5);
    const double raw[4] = {0.031, 0.162, 0.670, 0.995};  // 0f39OWEqJ24,0902 (relative)
    const torch::Tensor boxes = *s.tensor("gt_bboxes");
    ASSERT_EQ(boxes.sizes(), (std::vector<int64_t>{1, 4}));
    EXPECT_EQ(boxes.scalar_type(), torch::kFloat32);
    double want[4];
    for (int k = 0; k < 4; ++k) {
      const double px = static_cast<double>(static_cast<float>(raw[k] * (k % 2 ? 30 : 40)));
      const double scaled = px * (k % 2 ? sy : sx) - crop[k % 2].as_float();
      want[k] = std::min(std::max(scaled, 0.0), 255.0);
    }
    if (flip) {
      const double x1 = want[0];
      want[0] = 256 - want[2];
      want[2] = 256 - x1;
    }
    for (int k = 0; k < 4; ++k)
      EXPECT_NEAR(boxes[0][k].item<double>(), want[k], 1e-3) << "seed " << seed << " " << k;
    const torch::Tensor proposals = *s.tensor("proposals");
    EXPECT_EQ(proposals.sizes(), (std::vector<int64_t>{1, 4}));
    EXPECT_TRUE((proposals >= 0).all().item<bool>() && (proposals <= 256).all().item<bool>());
  }
  EXPECT_TRUE(flipped && unflipped);

  // The whole train pipeline of the configs.
  const std::string full =
      head + ", dict(type='Normalize', " + kNorm +
      "), dict(type='FormatShape', input_format='NCTHW', collapse=True),"
      " dict(type='Rename', mapping=dict(imgs='img')),"
      " dict(type='ToTensor', keys=['img', 'proposals', 'gt_bboxes', 'gt_labels']),"
      " dict(type='ToDataContainer', fields=[dict(key=['proposals', 'gt_bboxes', 'gt_labels'],"
      " stack=False)]),"
      " dict(type='Collect', keys=['img', 'proposals', 'gt_bboxes', 'gt_labels'],"
      " meta_keys=['scores', 'entity_ids'])]";
  const Sample s = build(full, false)->get(0, 3);
  EXPECT_EQ(s.tensor("img")->sizes(), (std::vector<int64_t>{3, 4, 256, 256}));
  EXPECT_EQ(s.tensor("gt_labels")->sizes(), (std::vector<int64_t>{1, 81}));
  EXPECT_EQ(s.tensor("gt_labels")->sum().item<float>(), 3.0f);
  const Dict& meta = s.info.at("img_metas").as_dict();
  EXPECT_EQ(meta.at("scores").as_list().size(), 1u);
  EXPECT_EQ(meta.at("entity_ids").as_list().at(0).as_int(), 0);
}

}  // namespace ava_pipeline_test
