// The skeleton transforms (UniformSampleFrames, PaddingWithLoop, PoseDecode, JointToBone,
// FormatGCNInput, PoseNormalize, Rename, LoadKineticsPose) against MMAction2 0.24.1's own
// outputs on the same annotation files (tests/fixtures/pose, written by
// tools/fixtures/make_pose_fixtures.py): frame indices exactly, arrays bitwise.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "support/paths.h"
#include "tubelet/checkpoint/pth.h"
#include "tubelet/config/config.h"
#include "tubelet/data/dataset.h"
#include "tubelet/data/pose/uniform_sample_frames.h"
#include "tubelet/data/transform.h"

namespace tubelet::pose_transforms_test {
namespace {

std::filesystem::path fixture(const std::string& name) {
  return test::source_dir() / "tests/fixtures/pose" / name;
}

const checkpoint::Pickle& expected_file() {
  static const checkpoint::Pickle p = checkpoint::read_pth(fixture("expected.pth").string());
  return p;
}

torch::Tensor expected(const std::string& name) {
  const checkpoint::PyObject* o = expected_file().root->get(name);
  if (!o) throw std::runtime_error("no case " + name + " in expected.pth");
  return o->tensor;
}

void expect_bitwise(const torch::Tensor& actual, const torch::Tensor& want,
                    const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what;
  EXPECT_EQ(actual.scalar_type(), want.scalar_type()) << what;
  ASSERT_EQ(actual.sizes(), want.sizes()) << what;
  // Bitwise: the same bytes (so -0.0 and 0.0 differ, and NaNs are compared too).
  torch::Tensor a = actual.contiguous(), b = want.contiguous();
  EXPECT_EQ(std::memcmp(a.data_ptr(), b.data_ptr(), a.nbytes()), 0) << what;
}

Value cfg(const std::string& text) {
  return load_config_text("t = " + text + "\n", "/tmp/pose_transforms.py").at("t");
}

std::shared_ptr<Transform> make(const std::string& text) {
  return PIPELINES().build(cfg(text), BuildContext("pipeline[0]"));
}

// The samples of an annotation file as PoseDataset makes them (no pipeline).
std::vector<Sample> records(const std::string& file, const std::string& prefix = "") {
  Value c = cfg("dict(type='PoseDataset', ann_file='" + fixture(file).string() +
                "', pipeline=[], data_prefix='" + prefix + "')");
  auto ds = DATASETS().build(c, BuildContext("data.test"));
  std::vector<Sample> out;
  for (int64_t i = 0; i < ds->size(); ++i) out.push_back(ds->get(i, 0));
  return out;
}

std::vector<int64_t> ints(const Value& v) {
  std::vector<int64_t> out;
  for (const Value& x : v.as_list()) out.push_back(x.as_int());
  return out;
}

std::vector<int64_t> ints(const torch::Tensor& t) {
  torch::Tensor c = t.to(torch::kLong).contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

Sample frames_sample(int64_t total, int64_t start_index = 0, uint64_t seed = 0) {
  Sample s;
  s.info.set("total_frames", Value(total));
  s.info.set("start_index", Value(start_index));
  s.rng.seed(seed);
  return s;
}

TEST(PoseTransforms, UniformSampleFramesTestModeEqualsNumpy) {
  const int64_t cases[][3] = {{20, 8, 1},    {20, 8, 3},  {7, 8, 1},  {7, 8, 10}, {3, 8, 2},
                              {12, 8, 1},    {12, 8, 4},  {15, 8, 5}, {35, 8, 2}, {100, 48, 10},
                              {1000, 48, 1}, {33, 16, 3}, {1, 5, 2}};
  for (const auto& c : cases)
    for (int64_t seed : {255, 7}) {
      const std::string name = "usf_" + std::to_string(c[0]) + "_" + std::to_string(c[1]) + "_" +
                               std::to_string(c[2]) + "_" + std::to_string(seed);
      auto t = make("dict(type='UniformSampleFrames', clip_len=" + std::to_string(c[1]) +
                    ", num_clips=" + std::to_string(c[2]) +
                    ", test_mode=True, seed=" + std::to_string(seed) + ")");
      Sample s = frames_sample(c[0]);
      t->apply(s);
      EXPECT_EQ(ints(s.info.at("frame_inds")), ints(expected(name))) << name;
      EXPECT_EQ(s.info.at("clip_len").as_int(), c[1]);
      EXPECT_TRUE(s.info.at("frame_interval").is_none());
      EXPECT_EQ(s.info.at("num_clips").as_int(), c[2]);
      // Reseeded for every sample: the same indices again.
      Sample again = frames_sample(c[0], 0, 99);
      t->apply(again);
      EXPECT_EQ(again.info.at("frame_inds"), s.info.at("frame_inds")) << name;
    }
  Sample s = frames_sample(20, 1);
  make("dict(type='UniformSampleFrames', clip_len=8, num_clips=2, test_mode=True)")->apply(s);
  EXPECT_EQ(ints(s.info.at("frame_inds")), ints(expected("usf_20_8_2_255_start1")));
}

// The values MMAction2's own tests (test_pose_loading.py) assert, with seed=0.
TEST(PoseTransforms, UniformSampleFramesMMAction2TestValues) {
  auto run = [](int64_t n, int64_t clips) {
    Sample s = frames_sample(n);
    make("dict(type='UniformSampleFrames', clip_len=8, num_clips=" + std::to_string(clips) +
         ", test_mode=True, seed=0)")
        ->apply(s);
    return ints(s.info.at("frame_inds"));
  };
  EXPECT_EQ(run(64, 1), (std::vector<int64_t>{4, 15, 21, 24, 35, 43, 51, 63}));
  EXPECT_EQ(run(15, 1), (std::vector<int64_t>{0, 2, 4, 6, 8, 9, 11, 13}));
  EXPECT_EQ(run(7, 1), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 0}));
  EXPECT_EQ(run(7, 8).size(), 64u);
  EXPECT_EQ(run(64, 4),
            (std::vector<int64_t>{4, 15, 21, 24, 35, 43, 51, 63, 1, 11, 21, 26, 36, 47, 54, 56,
                                  0, 12, 18, 25, 38, 47, 55, 62, 0, 9,  21, 25, 37, 40, 49, 60}));
}

TEST(PoseTransforms, UniformSampleFramesTrainModeProperties) {
  auto t = make("dict(type='UniformSampleFrames', clip_len=8)");
  for (int64_t n : {1, 3, 7, 8, 9, 12, 15, 16, 17, 40, 1000}) {
    std::set<std::vector<int64_t>> seen;
    for (uint64_t seed = 0; seed < 40; ++seed) {
      Sample s = frames_sample(n, 2, seed);
      t->apply(s);
      std::vector<int64_t> inds = ints(s.info.at("frame_inds"));
      ASSERT_EQ(inds.size(), 8u);
      for (int64_t& i : inds) {
        ASSERT_GE(i, 2);
        ASSERT_LT(i, n + 2);
        i -= 2;
      }
      if (n < 8) {  // a looped run of consecutive frames
        for (size_t k = 1; k < 8; ++k) EXPECT_EQ(inds[k], (inds[k - 1] + 1) % n) << n;
      } else if (n < 16) {  // every frame once, n - 8 gaps skipped by one
        EXPECT_LE(inds[0], 1);
        for (size_t k = 1; k < 8; ++k) {
          EXPECT_GE(inds[k] - inds[k - 1], 1);
          EXPECT_LE(inds[k] - inds[k - 1], 2);
        }
        int64_t skipped = inds[0] + (n - 1 - inds[7]);
        for (size_t k = 1; k < 8; ++k) skipped += inds[k] - inds[k - 1] - 1;
        EXPECT_EQ(skipped, n - 8) << n;
      } else {  // one frame in each segment [k n / 8, (k + 1) n / 8)
        for (int64_t k = 0; k < 8; ++k) {
          EXPECT_GE(inds[static_cast<size_t>(k)], k * n / 8);
          EXPECT_LT(inds[static_cast<size_t>(k)], (k + 1) * n / 8);
        }
      }
      seen.insert(inds);
      Sample same = frames_sample(n, 2, seed);  // the sample's generator decides
      t->apply(same);
      EXPECT_EQ(same.info.at("frame_inds"), s.info.at("frame_inds"));
    }
    if (n > 1 && n != 8) {  // 8 of 8 frames: one outcome
      EXPECT_GT(seen.size(), 1u) << n;
    }
  }
}

TEST(PoseTransforms, NumpyRandomDraws) {
  // np.random.seed(0); np.random.randint(0, 10, 5) -> [5 0 3 3 7]
  NumpyRandom r = NumpyRandom::seeded(0);
  std::vector<int64_t> draws;
  for (int i = 0; i < 5; ++i) draws.push_back(r.randint(0, 10));
  EXPECT_EQ(draws, (std::vector<int64_t>{5, 0, 3, 3, 7}));
  // np.random.seed(0); np.random.permutation(10) -> [2 8 4 9 1 6 7 3 0 5]
  NumpyRandom p = NumpyRandom::seeded(0);
  EXPECT_EQ(p.permutation(10), (std::vector<int64_t>{2, 8, 4, 9, 1, 6, 7, 3, 0, 5}));
  EXPECT_THROW(p.choice_without_replacement(3, 4), std::invalid_argument);
}

TEST(PoseTransforms, UniformSampleFramesErrors) {
  EXPECT_NE(test::error_of([] {
              make("dict(type='UniformSampleFrames')");
            }).find("missing required argument 'clip_len'"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              make("dict(type='UniformSampleFrames', clip_len=4, num_clips=2)");
            }).find("num_clips must be 1 in training"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              make("dict(type='UniformSampleFrames', clip_len=0)");
            }).find("clip_len must be positive"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              make("dict(type='UniformSampleFrames', clip_len=2, test_mode=True, seed=-1)");
            }).find("Seed must be between 0 and 2**32 - 1"),
            std::string::npos);
  Sample s = frames_sample(0);
  EXPECT_EQ(test::error_of([&] { make("dict(type='UniformSampleFrames', clip_len=4)")->apply(s); }),
            "UniformSampleFrames: total_frames is 0, it must be positive");
}

TEST(PoseTransforms, PaddingWithLoop) {
  for (int64_t n : {7, 20, 35}) {
    Sample s = frames_sample(n, 1);  // start_index is not added
    make("dict(type='PaddingWithLoop', clip_len=16)")->apply(s);
    EXPECT_EQ(ints(s.info.at("frame_inds")), ints(expected("pwl_" + std::to_string(n) + "_16")));
    EXPECT_EQ(s.info.at("num_clips").as_int(), 1);
    EXPECT_TRUE(s.info.at("frame_interval").is_none());
  }
  EXPECT_NE(test::error_of([] {
              make("dict(type='PaddingWithLoop', clip_len=3, num_clips=0)");
            }).find("num_clips must be positive"),
            std::string::npos);
}

TEST(PoseTransforms, PoseDecodeEqualsMMAction2) {
  std::vector<Sample> samples = records("ann_2d.pkl");
  ASSERT_EQ(samples.size(), 4u);
  auto usf = make("dict(type='UniformSampleFrames', clip_len=8, num_clips=2, test_mode=True)");
  auto decode = make("dict(type='PoseDecode')");
  for (size_t i = 0; i < samples.size(); ++i) {
    Sample s = samples[i];
    usf->apply(s);
    decode->apply(s);
    const std::string n = "decode_" + std::to_string(i);
    expect_bitwise(*s.tensor("keypoint"), expected(n + "_keypoint"), n);
    expect_bitwise(*s.tensor("keypoint_score"), expected(n + "_keypoint_score"), n);
  }
  // float64 keypoints, no frame_inds: all frames, as float32; frame_inds written.
  Sample s3 = records("ann_3d.pkl")[0];
  EXPECT_EQ(s3.tensor("keypoint")->scalar_type(), torch::kDouble);
  decode->apply(s3);
  expect_bitwise(*s3.tensor("keypoint"), expected("decode_3d0_all"), "3d");
  EXPECT_EQ(ints(s3.info.at("frame_inds")).size(), 10u);
  // 2-D frame_inds are squeezed; offset is added.
  Sample o = samples[2];
  o.info.set("frame_inds", Value::list({Value::list({0, 2, 4})}));
  o.info.set("offset", Value(3));
  decode->apply(o);
  expect_bitwise(*o.tensor("keypoint"), expected("decode_offset_keypoint"), "offset");
  expect_bitwise(*o.tensor("keypoint_score"), expected("decode_offset_keypoint_score"), "offset");
  EXPECT_EQ(ints(o.info.at("frame_inds")), (std::vector<int64_t>{0, 2, 4}));
  // As a tensor; negative indices count from the end; past the end is an IndexError.
  Sample t = samples[1];
  t.set_tensor("frame_inds", torch::tensor({-1, 0}, torch::kLong));
  decode->apply(t);
  EXPECT_TRUE(torch::equal(*t.tensor("keypoint"),
                           samples[1].tensor("keypoint")->index_select(1, torch::tensor({6, 0}))));
  Sample bad = samples[1];
  bad.info.set("frame_inds", Value::list({0, 7}));
  EXPECT_EQ(test::error_of([&] { decode->apply(bad); }),
            "PoseDecode: IndexError: index 7 is out of bounds for axis 1 of 'keypoint_score' "
            "with size 7");
}

TEST(PoseTransforms, JointToBoneLayouts) {
  Sample s = records("ann_2d.pkl")[0];
  const torch::Tensor kp = *s.tensor("keypoint");
  const torch::Tensor kp3 = torch::cat({kp, s.tensor("keypoint_score")->unsqueeze(-1)}, -1);
  auto run = [](const std::string& dataset, const torch::Tensor& k) {
    Sample x;
    x.set_tensor("keypoint", k);
    make("dict(type='JointToBone'" + (dataset.empty() ? "" : ", dataset='" + dataset + "'") + ")")
        ->apply(x);
    return *x.tensor("keypoint");
  };
  expect_bitwise(run("coco", kp3), expected("bone_coco_c3"), "coco c3");
  expect_bitwise(run("coco", kp), expected("bone_coco_c2"), "coco c2");
  Sample op = records("ann_openpose.pkl")[0];
  const torch::Tensor op3 =
      torch::cat({*op.tensor("keypoint"), op.tensor("keypoint_score")->unsqueeze(-1)}, -1);
  expect_bitwise(run("openpose-18", op3), expected("bone_openpose_c3"), "openpose");
  expect_bitwise(run("", *records("ann_3d.pkl")[1].tensor("keypoint")), expected("bone_ntu_c3"),
                 "nturgb+d");
  EXPECT_NE(test::error_of([] {
              make("dict(type='JointToBone', dataset='kinetics')");
            }).find("The dataset type kinetics is not supported"),
            std::string::npos);
  EXPECT_EQ(test::error_of([&] {
              run("coco", torch::zeros({1, 2, 17, 4}));
            }),
            "JointToBone: keypoint must have 2 or 3 channels, got 4");
  EXPECT_EQ(test::error_of([&] { run("", kp); }),
            "JointToBone: the 'nturgb+d' layout needs joint 20, keypoint has 17 joints");
}

TEST(PoseTransforms, FormatGCNInputPadsAndTruncates) {
  std::vector<Sample> samples = records("ann_2d.pkl");
  for (auto [i, num_person] : {std::pair<int, int>{1, 2}, {2, 2}, {0, 3}, {2, 1}}) {
    Sample s = samples[static_cast<size_t>(i)];
    make("dict(type='FormatGCNInput', input_format='NCTVM', num_person=" +
         std::to_string(num_person) + ")")
        ->apply(s);
    const std::string n = "gcn_" + std::to_string(i) + "_" + std::to_string(num_person);
    expect_bitwise(*s.tensor("keypoint"), expected(n), n);
    EXPECT_EQ(s.info.at("input_shape"),
              Value::tuple({3, s.tensor("keypoint")->size(1), 17, num_person}));
  }
  Sample s3 = records("ann_3d.pkl")[2];
  make("dict(type='FormatGCNInput', input_format='NCTVM')")->apply(s3);
  expect_bitwise(*s3.tensor("keypoint"), expected("gcn_3d2_noscore"), "no score");
  EXPECT_NE(test::error_of([] {
              make("dict(type='FormatGCNInput', input_format='NCTHW')");
            }).find("The input format NCTHW is invalid."),
            std::string::npos);
}

TEST(PoseTransforms, PoseNormalize) {
  Sample s;
  s.set_tensor("keypoint", expected("gcn_1_2"));
  make(
      "dict(type='PoseNormalize', mean=(100., 50., 0.25), min_value=(-10., 0., 0.), "
      "max_value=(640, 480, 2.))")
      ->apply(s);
  expect_bitwise(*s.tensor("keypoint"), expected("norm_custom"), "custom");
  const Dict& norm = s.info.at("keypoint_norm_cfg").as_dict();
  EXPECT_EQ(norm.at("max_value").as_list()[1].as_float(), 480.0);
  Sample bad;
  bad.set_tensor("keypoint", torch::zeros({4, 2, 2, 2}));
  EXPECT_NE(test::error_of([&] {
              make("dict(type='PoseNormalize')")->apply(bad);
            }).find("PoseNormalize: cannot normalize a keypoint of shape [4, 2, 2, 2]"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              make("dict(type='PoseNormalize', mean=(1., 2.))");
            }).find("must have the same length"),
            std::string::npos);
}

TEST(PoseTransforms, Rename) {
  Sample s = records("ann_2d.pkl")[0];
  make("dict(type='Rename', mapping=dict(keypoint='kp', frame_dir='name', absent='x'))")->apply(s);
  EXPECT_EQ(s.tensor("keypoint"), nullptr);
  ASSERT_NE(s.tensor("kp"), nullptr);
  EXPECT_FALSE(s.info.contains("frame_dir"));
  EXPECT_EQ(s.info.at("name").as_str(), "S001C001P001R001A001");
  EXPECT_FALSE(s.info.contains("x"));
  EXPECT_EQ(
      test::error_of([&] { make("dict(type='Rename', mapping=dict(kp='label'))")->apply(s); }),
      "Rename: the new name already exists in results ('kp' -> 'label')");
  EXPECT_NE(test::error_of([] {
              make("dict(type='Rename')");
            }).find("missing required argument 'mapping'"),
            std::string::npos);
}

TEST(PoseTransforms, LoadKineticsPoseEqualsMMAction2) {
  std::vector<Sample> samples = records("ann_kinetics.pkl", fixture("").string());
  ASSERT_EQ(samples.size(), 4u);  // the last one's file holds float64 keypoints
  const char* configs[] = {"source='mmpose', max_person=3, squeeze=True",
                           "source='openpose-18', max_person=100, squeeze=False",
                           "source='mmpose', max_person=2, squeeze=True",
                           "source='openpose-18', max_person=1, squeeze=True, "
                           "keypoint_weight=dict(face=0.1, torso=2, limb=1.5)"};
  for (size_t i = 0; i < 4; ++i) {
    Sample s = samples[i];
    make(std::string("dict(type='LoadKineticsPose', ") + configs[i] + ")")->apply(s);
    const std::string n = "kinetics_" + std::to_string(i);
    expect_bitwise(*s.tensor("keypoint"), expected(n + "_keypoint"), n);
    expect_bitwise(*s.tensor("keypoint_score"), expected(n + "_keypoint_score"), n);
    EXPECT_EQ(ints(expected(n + "_meta")),
              (std::vector<int64_t>{s.info.at("total_frames").as_int(),
                                    s.info.at("num_person").as_int()}));
    EXPECT_FALSE(s.info.contains("filename"));
    EXPECT_EQ(s.tensor("frame_inds"), nullptr);
    EXPECT_EQ(s.tensor("box_score"), nullptr);
  }
  EXPECT_NE(test::error_of([] {
              make("dict(type='LoadKineticsPose', source='coco')");
            }).find("Unknown source of Kinetics Pose 'coco'"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              make("dict(type='LoadKineticsPose', io_backend='petrel')");
            }).find("only io_backend='disk' is supported"),
            std::string::npos);
  Sample missing = samples[0];
  missing.info.set("filename", Value(fixture("kinetics_pose/none.pkl").string()));
  EXPECT_NE(test::error_of([&] {
              make("dict(type='LoadKineticsPose')")->apply(missing);
            }).find("cannot open pickle file"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::pose_transforms_test
