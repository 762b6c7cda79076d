// PoseCompact, GeneratePoseTarget and the keypoint branches of Resize, CenterCrop and Flip
// against MMAction2 0.24.1 run on the same samples (tests/fixtures/posec3d, written by
// tools/fixtures/make_posec3d_fixtures.py): bit for bit, heatmaps included, alone and as the
// deterministic parts of the posec3d gym configs' pipelines. Hand-computed cases and errors.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <string>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/pose/generate_pose_target.h"
#include "tubelet/data/transform.h"

namespace posec3d_transforms_test {

using namespace tubelet;

std::filesystem::path fixture_path(const std::string& file) {
  return test::source_dir() / "tests/fixtures/posec3d" / file;
}

checkpoint::StateDict fixture(const std::string& name) {
  return checkpoint::load_checkpoint(fixture_path(name + ".pth").string()).state_dict;
}

Compose pipeline(const std::string& text) {
  return Compose(load_config_text("pipeline = " + text + "\n", "/tmp/posec3d.py").at("pipeline"),
                 "pipeline");
}

Sample sample_from(const checkpoint::StateDict& blob) {
  Sample s;
  s.set_tensor("keypoint", blob["keypoint"]);
  if (blob.contains("keypoint_score")) s.set_tensor("keypoint_score", blob["keypoint_score"]);
  auto shape = blob["img_shape"];
  s.info.set("img_shape",
             Value::tuple({Value(shape[0].item<int64_t>()), Value(shape[1].item<int64_t>())}));
  s.info.set("original_shape", s.info.at("img_shape"));
  s.info.set("modality", "Pose");
  s.info.set("label", Value(blob["label"].item<int64_t>()));
  s.info.set("num_clips", Value(blob["num_clips"].item<int64_t>()));
  s.info.set("clip_len", Value(blob["clip_len"].item<int64_t>()));
  return s;
}

// The heatmaps MMAction2 made, from their runs of non-zero values, in the fixture's layout.
torch::Tensor expected_maps(const checkpoint::StateDict& blob) {
  auto shape = blob["imgs_shape"];
  auto perm = blob["imgs_perm"];
  std::vector<int64_t> sizes(shape.data_ptr<int64_t>(), shape.data_ptr<int64_t>() + shape.numel());
  std::vector<int64_t> permuted;
  for (int64_t i = 0; i < perm.numel(); ++i) permuted.push_back(sizes[perm[i].item<int64_t>()]);
  auto flat = torch::zeros({shape.prod().item<int64_t>()}, torch::kFloat32);
  auto runs = blob["imgs_runs"];
  auto values = blob["imgs_value"];
  float* out = flat.data_ptr<float>();
  const float* v = values.data_ptr<float>();
  int64_t used = 0;
  for (int64_t r = 0; r < runs.size(0); ++r) {
    int64_t start = runs[r][0].item<int64_t>(), length = runs[r][1].item<int64_t>();
    for (int64_t i = 0; i < length; ++i) out[start + i] = v[used++];
  }
  EXPECT_EQ(used, values.numel());
  return flat.reshape(permuted);
}

// Equal bit for bit (as integers), with the first difference named.
void expect_bitwise(const torch::Tensor& ours, const torch::Tensor& ref, const std::string& what) {
  ASSERT_EQ(ours.sizes(), ref.sizes()) << what;
  ASSERT_EQ(ours.scalar_type(), ref.scalar_type()) << what;
  auto a = ours.contiguous().flatten(), b = ref.contiguous().flatten();
  auto as_int = a.scalar_type() == torch::kFloat64 ? torch::kInt64 : torch::kInt32;
  if (a.is_floating_point()) {
    a = a.view(as_int);
    b = b.view(as_int);
  }
  auto differ = (a != b).nonzero();
  if (differ.numel() > 0) {
    int64_t i = differ[0][0].item<int64_t>();
    ADD_FAILURE() << what << ": " << differ.size(0) << " values differ, first at " << i << ": "
                  << ours.flatten()[i].item<double>() << " vs " << ref.flatten()[i].item<double>();
  }
}

TEST(PoseC3DTransforms, EveryCaseMatchesMmaction2) {
  Value cases = from_json(test::read_text(fixture_path("cases.json")));
  ASSERT_GE(cases.as_dict().size(), 17u);
  for (const auto& [key, text] : cases.as_dict()) {
    const std::string name = key.as_str();
    SCOPED_TRACE(name);
    auto blob = fixture(name);
    Sample s = sample_from(blob);
    pipeline(text.as_str()).apply(s);
    if (blob.contains("imgs_shape")) {
      const torch::Tensor* imgs = s.tensor("imgs");
      ASSERT_NE(imgs, nullptr);
      auto perm = blob["imgs_perm"];
      std::vector<int64_t> order(perm.data_ptr<int64_t>(), perm.data_ptr<int64_t>() + perm.numel());
      auto expected = expected_maps(blob);
      EXPECT_GT(blob["imgs_runs"].size(0), 0);
      expect_bitwise(imgs->permute(order), expected, name + " imgs");
      continue;
    }
    expect_bitwise(*s.tensor("keypoint"), blob["out_keypoint"], name + " keypoint");
    if (blob.contains("out_keypoint_score"))
      expect_bitwise(*s.tensor("keypoint_score"), blob["out_keypoint_score"], name + " score");
    auto shape = blob["out_img_shape"];
    const List& img_shape = s.info.at("img_shape").as_list();
    EXPECT_EQ(img_shape[0].as_int(), shape[0].item<int64_t>());
    EXPECT_EQ(img_shape[1].as_int(), shape[1].item<int64_t>());
    if (blob.contains("out_crop_quadruple")) {
      const List& q = s.info.at("crop_quadruple").as_list();
      ASSERT_EQ(q.size(), 4u);
      for (int i = 0; i < 4; ++i)
        EXPECT_EQ(q[i].as_float(), blob["out_crop_quadruple"][i].item<double>()) << i;
    } else {
      EXPECT_FALSE(s.info.contains("crop_quadruple"));
    }
  }
}

TEST(PoseC3DTransforms, NumpyExpIsBitExact) {
  auto blob = fixture("exp");
  auto x = blob["x"], expected = blob["exp"];
  auto ours = torch::empty_like(x);
  for (int64_t i = 0; i < x.numel(); ++i)
    ours.data_ptr<float>()[i] = GeneratePoseTarget::numpy_expf(x.data_ptr<float>()[i]);
  expect_bitwise(ours, expected, "exp");
  EXPECT_EQ(GeneratePoseTarget::numpy_expf(0.f), 1.f);
  EXPECT_TRUE(std::isnan(GeneratePoseTarget::numpy_expf(NAN)));
}

Sample one_keypoint(float x, float y, int64_t h, int64_t w, float score) {
  Sample s;
  s.set_tensor("keypoint", torch::tensor({x, y}).reshape({1, 1, 1, 2}));
  s.set_tensor("keypoint_score", torch::tensor({score}).reshape({1, 1, 1}));
  s.info.set("img_shape", Value::tuple({Value(h), Value(w)}));
  return s;
}

TEST(PoseC3DTransforms, KeypointHeatmapByHand) {
  Sample s = one_keypoint(10.f, 10.f, 20, 20, 0.5f);
  pipeline("[dict(type='GeneratePoseTarget', sigma=0.6)]").apply(s);
  auto maps = *s.tensor("imgs");
  ASSERT_EQ(maps.sizes(), (std::vector<int64_t>{1, 20, 20, 1}));
  auto m = maps.select(0, 0).select(-1, 0);
  EXPECT_EQ(m[10][10].item<float>(), 0.5f);
  EXPECT_NEAR(m[10][11].item<float>(), 0.5 * std::exp(-1 / 0.72), 1e-7);
  EXPECT_NEAR(m[9][11].item<float>(), 0.5 * std::exp(-2 / 0.72), 1e-7);
  // The window is [int(10 - 1.8), int(10 + 1.8) + 1) = [8, 12): nothing at 12 or 7.
  EXPECT_GT(m[10][8].item<float>(), 0.f);
  EXPECT_GT(m[11][10].item<float>(), 0.f);
  EXPECT_EQ(m[10][12].item<float>(), 0.f);
  EXPECT_EQ(m[10][7].item<float>(), 0.f);
  EXPECT_EQ(m.sum().item<float>(), m.slice(0, 8, 12).slice(1, 8, 12).sum().item<float>());

  // A score under eps (1e-4) draws nothing; off the image nothing either.
  Sample low = one_keypoint(10.f, 10.f, 20, 20, 5e-5f);
  pipeline("[dict(type='GeneratePoseTarget')]").apply(low);
  EXPECT_EQ(low.tensor("imgs")->abs().sum().item<float>(), 0.f);
  Sample out = one_keypoint(-5.f, 30.f, 20, 20, 1.f);
  pipeline("[dict(type='GeneratePoseTarget')]").apply(out);
  EXPECT_EQ(out.tensor("imgs")->abs().sum().item<float>(), 0.f);
}

TEST(PoseC3DTransforms, LimbHeatmapByHand) {
  Sample s;
  s.set_tensor("keypoint", torch::tensor({2.f, 5.f, 12.f, 5.f}).reshape({1, 1, 2, 2}));
  s.info.set("img_shape", Value::tuple({Value(int64_t{10}), Value(int64_t{16})}));
  pipeline(
      "[dict(type='GeneratePoseTarget', with_kp=False, with_limb=True, "
      "skeletons=[[0, 1]])]")
      .apply(s);
  auto m = s.tensor("imgs")->select(0, 0).select(-1, 0);
  // On the segment the map is 1; one pixel off it exp(-1 / 2 / 0.36); past the ends the
  // distance is to the end point.
  for (int x = 2; x <= 12; ++x) EXPECT_EQ(m[5][x].item<float>(), 1.f) << x;
  EXPECT_FLOAT_EQ(m[6][7].item<float>(), static_cast<float>(std::exp(-1 / 0.72)));
  EXPECT_FLOAT_EQ(m[5][13].item<float>(), static_cast<float>(std::exp(-1 / 0.72)));
  EXPECT_FLOAT_EQ(m[6][1].item<float>(), static_cast<float>(std::exp(-2 / 0.72)));
  EXPECT_EQ(m[5][15].item<float>(), 0.f);  // window ends at int(12 + 1.8) + 1 = 14
}

TEST(PoseC3DTransforms, PoseCompactByHand) {
  Sample s;
  // x in {10, 50}, y in {20, 40}; the zero keypoint stays where it is.
  s.set_tensor("keypoint", torch::tensor({10.f, 20.f, 50.f, 40.f, 0.f, 0.f}).reshape({1, 1, 3, 2}));
  s.info.set("img_shape", Value::tuple({Value(int64_t{480}), Value(int64_t{640})}));
  pipeline("[dict(type='PoseCompact')]").apply(s);
  // centre (30, 30), half sizes 25 and 12.5: box x [5, 55), y [int(17.5), int(42.5)).
  EXPECT_TRUE(torch::equal(*s.tensor("keypoint"),
                           torch::tensor({5.f, 3.f, 45.f, 23.f, 0.f, 0.f}).reshape({1, 1, 3, 2})));
  EXPECT_EQ(repr(s.info.at("img_shape")), "(25, 50)");
  const List& q = s.info.at("crop_quadruple").as_list();
  EXPECT_EQ(q[0].as_float(), 5.0 / 640);
  EXPECT_EQ(q[1].as_float(), 17.0 / 480);
  EXPECT_EQ(q[2].as_float(), 50.0 / 640);
  EXPECT_EQ(q[3].as_float(), 25.0 / 480);
}

TEST(PoseC3DTransforms, DoubleAddsTheFlippedCopyAndFormatsAsTwoCrops) {
  Sample s;
  s.set_tensor("keypoint", torch::tensor({3.f, 4.f, 8.f, 4.f}).reshape({1, 1, 2, 2}));
  s.info.set("img_shape", Value::tuple({Value(int64_t{8}), Value(int64_t{12})}));
  s.info.set("num_clips", Value(int64_t{1}));
  s.info.set("clip_len", Value(int64_t{1}));
  pipeline(
      "[dict(type='GeneratePoseTarget', double=True, left_kp=[0], right_kp=[1]), "
      "dict(type='FormatShape', input_format='NCTHW')]")
      .apply(s);
  auto imgs = *s.tensor("imgs");
  ASSERT_EQ(imgs.sizes(), (std::vector<int64_t>{2, 2, 1, 8, 12}));
  EXPECT_EQ(imgs[0][0][0][4][3].item<float>(), 1.f);
  EXPECT_EQ(imgs[0][1][0][4][8].item<float>(), 1.f);
  // Flipped: x -> 12 - x, and the two keypoints swap channels: keypoint 1 (x 8 -> 4) is
  // channel 0, keypoint 0 (x 3 -> 9) channel 1.
  EXPECT_EQ(imgs[1][0][0][4][4].item<float>(), 1.f);
  EXPECT_EQ(imgs[1][1][0][4][9].item<float>(), 1.f);
  EXPECT_GT(imgs[0][0][0][4][1].item<float>(), 0.f);
  EXPECT_EQ(imgs[1][0][0][4][1].item<float>(), 0.f);  // window [int(2.2), int(5.8) + 1)
}

// The train pipeline's random crop: its keypoints, shape and crop_quadruple follow the box it
// drew, as MMAction2's (float64 keypoints, the quadruple combined in Python floats).
TEST(PoseC3DTransforms, RandomResizedCropAndFlipOfKeypoints) {
  for (uint64_t seed = 0; seed < 5; ++seed) {
    Sample s;
    s.rng.seed(seed);
    auto kp = torch::tensor({10.25f, 20.5f, 0.f, 0.f, 70.125f, 60.75f}).reshape({1, 1, 3, 2});
    s.set_tensor("keypoint", kp);
    s.set_tensor("keypoint_score", torch::tensor({0.5f, 0.25f, 1.f}).reshape({1, 1, 3}));
    s.info.set("img_shape", Value::tuple({Value(int64_t{64}), Value(int64_t{80})}));
    s.info.set("modality", "Pose");
    const double old[4] = {0.1, 0.2, 0.7, 0.6};
    s.info.set("crop_quadruple",
               Value::tuple({Value(old[0]), Value(old[1]), Value(old[2]), Value(old[3])}));
    pipeline("[dict(type='RandomResizedCrop', area_range=(0.56, 1.0))]").apply(s);
    const List& box = s.info.at("crop_bbox").as_list();
    int64_t l = box[0].as_int(), t = box[1].as_int(), r = box[2].as_int(), b = box[3].as_int();
    auto expected = kp.to(torch::kFloat64) - torch::tensor({double(l), double(t)});
    expect_bitwise(*s.tensor("keypoint"), expected, "cropped keypoint");
    EXPECT_EQ(repr(s.info.at("img_shape")),
              "(" + std::to_string(b - t) + ", " + std::to_string(r - l) + ")");
    const List& q = s.info.at("crop_quadruple").as_list();
    EXPECT_EQ(q[0].as_float(), static_cast<float>(old[0] + double(l) / 80 * old[2]));
    EXPECT_EQ(q[1].as_float(), static_cast<float>(old[1] + double(t) / 64 * old[3]));
    EXPECT_EQ(q[2].as_float(), static_cast<float>(double(r - l) / 80 * old[2]));
    EXPECT_EQ(q[3].as_float(), static_cast<float>(double(b - t) / 64 * old[3]));

    pipeline(
        "[dict(type='Resize', scale=(56, 56), keep_ratio=False), dict(type='Flip', "
        "flip_ratio=1.0, left_kp=[0], right_kp=[2])]")
        .apply(s);
    float fx = static_cast<float>(56.0 / double(r - l)),
          fy = static_cast<float>(56.0 / double(b - t));
    auto resized = expected * torch::tensor({double(fx), double(fy)});
    auto x = resized.select(-1, 0);
    x.copy_(torch::where(x != 0, 56 - x, x));
    expect_bitwise(*s.tensor("keypoint"), resized.index_select(2, torch::tensor({2, 1, 0})),
                   "resized and flipped keypoint");
    expect_bitwise(*s.tensor("keypoint_score"),
                   torch::tensor({1.f, 0.25f, 0.5f}).reshape({1, 1, 3}), "flipped score");
  }
}

void expect_error(const std::string& text, Sample s, const std::string& part) {
  try {
    pipeline(text).apply(s);
    ADD_FAILURE() << "no error for " << text;
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(PoseC3DTransforms, Errors) {
  Sample s = one_keypoint(3.f, 3.f, 8, 8, 1.f);
  expect_error("[dict(type='GeneratePoseTarget', with_kp=False, with_limb=False)]", s,
               "At least one of \"with_limb\" and \"with_kp\"");
  expect_error("[dict(type='GeneratePoseTarget', with_limb=True, skeletons=[[0, 3]])]", s,
               "skeletons refer to keypoint 3, but there are 1 keypoints");
  expect_error("[dict(type='GeneratePoseTarget', with_limb=True, skeletons=[[0, -1]])]", s,
               "skeletons");
  expect_error("[dict(type='GeneratePoseTarget', with_limb=True, skeletons=[[0, 1, 2]])]", s,
               "pair of keypoint indices");
  expect_error("[dict(type='GeneratePoseTarget', sigma=0)]", s, "sigma");
  expect_error("[dict(type='GeneratePoseTarget', double=True)]", s,
               "left_kp/right_kp refer to keypoint");
  expect_error("[dict(type='GeneratePoseTarget', bogus=1)]", s, "bogus");
  expect_error("[dict(type='PoseCompact', hw_ratio='wide')]", s, "hw_ratio");
  expect_error("[dict(type='PoseCompact', padding=-0.1)]", s, "padding");
  Sample no_kp;
  no_kp.info.set("img_shape", Value::tuple({Value(int64_t{8}), Value(int64_t{8})}));
  expect_error("[dict(type='GeneratePoseTarget')]", no_kp, "has no 'keypoint'");
  expect_error("[dict(type='PoseCompact')]", no_kp, "has no 'keypoint'");
  Sample bad_score = one_keypoint(3.f, 3.f, 8, 8, 1.f);
  bad_score.set_tensor("keypoint_score", torch::ones({1, 2, 1}));
  expect_error("[dict(type='GeneratePoseTarget')]", bad_score, "'keypoint_score' must be");
  Sample flat = one_keypoint(3.f, 3.f, 8, 8, 1.f);
  flat.set_tensor("keypoint", torch::ones({1, 1, 2}));
  expect_error("[dict(type='GeneratePoseTarget')]", flat, "[M, T, V, 2]");
  Sample nan = one_keypoint(NAN, 3.f, 8, 8, 1.f);
  expect_error("[dict(type='GeneratePoseTarget')]", nan, "finite");
}

}  // namespace posec3d_transforms_test
