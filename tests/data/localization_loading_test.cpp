// Localization loading transforms on MMAction2's test assets (values read with numpy's
// loadtxt/load when this test was written) and on small files written here, errors included.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <fstream>

#include "support/paths.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/localization/feature_files.h"
#include "tubelet/data/transform.h"

namespace tubelet::localization_loading_test {
namespace {

std::shared_ptr<Transform> build(const std::string& json) {
  return PIPELINES().build(from_json(json, "<test>"), BuildContext("pipeline[0]"));
}

Sample video(const std::string& name, const std::string& prefix) {
  Sample s;
  s.info.set("video_name", Value(name));
  s.info.set("data_prefix", Value(prefix));
  return s;
}

std::filesystem::path assets() {
  return test::shared_dir() / "data/mmaction2-assets";
}

TEST(LoadLocalizationFeature, SharedFeaturesTransposed) {
  TUBELET_REQUIRE_SHARED();
  Sample s = video("v_test1", (assets() / "activitynet_features").string());
  build(R"({"type": "LoadLocalizationFeature"})")->apply(s);
  const torch::Tensor& f = *s.tensor("raw_feature");
  EXPECT_EQ(f.sizes(), (std::vector<int64_t>{400, 5}));
  EXPECT_EQ(f.scalar_type(), torch::kFloat);
  // np.loadtxt(..., dtype=np.float32, delimiter=',', skiprows=1).T
  EXPECT_EQ(f[0][0].item<float>(), -2.5240083f);
  EXPECT_EQ(f[399][4].item<float>(), 1.0310274f);
  EXPECT_EQ(f[10][2].item<float>(), -0.63184047f);
}

TEST(LoadLocalizationFeature, SmallFilesAndErrors) {
  test::TempDir dir;
  dir.write("v_a.csv", "f0,f1,f2\n1,2,3\n# a comment\n\n4.5, 5e-1 ,-6\n");
  Sample s = video("v_a", dir.path().string());
  build(R"({"type": "LoadLocalizationFeature"})")->apply(s);
  EXPECT_TRUE(
      s.tensor("raw_feature")->equal(torch::tensor({{1.f, 4.5f}, {2.f, 0.5f}, {3.f, -6.f}})));

  dir.write("v_b.csv", "f0,f1,f2\n1,2,3\n4,5\n");
  Sample b = video("v_b", dir.path().string());
  std::string e =
      test::error_of([&] { build(R"({"type": "LoadLocalizationFeature"})")->apply(b); });
  EXPECT_NE(e.find((dir.path() / "v_b.csv").string() + ":3 (video v_b)"), std::string::npos) << e;
  EXPECT_NE(e.find("2 values where the rows before have 3"), std::string::npos) << e;

  dir.write("v_c.csv", "f0\n1\nnan?\n");
  Sample c = video("v_c", dir.path().string());
  e = test::error_of([&] { build(R"({"type": "LoadLocalizationFeature"})")->apply(c); });
  EXPECT_NE(e.find("v_c.csv:3 (video v_c): 'nan?' is not a number"), std::string::npos) << e;

  Sample missing = video("v_none", dir.path().string());
  e = test::error_of([&] { build(R"({"type": "LoadLocalizationFeature"})")->apply(missing); });
  EXPECT_NE(e.find("v_none.csv"), std::string::npos) << e;
  EXPECT_NE(e.find("video v_none"), std::string::npos) << e;
  // ActivityNetDataset without data_prefix hands the pipeline None.
  Sample none = video("v_a", "");
  none.info.set("data_prefix", Value());
  EXPECT_NE(test::error_of([&] {
              build(R"({"type": "LoadLocalizationFeature"})")->apply(none);
            }).find("needs the dataset's data_prefix (got None)"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              build(R"({"type": "LoadLocalizationFeature", "raw_feature_ext": ".npy"})");
            }).find("not implemented"),
            std::string::npos);
}

TEST(GenerateLocalizationLabels, RelativeToFeatureCoveredDuration) {
  Sample s;
  s.info = from_json(R"({"video_name": "v", "duration_frame": 100, "duration_second": 10.0,
      "feature_frame": 80, "annotations": [{"segment": [2.0, 4.0], "label": "a"},
                                           {"segment": [-1, 9.5], "label": "b"}]})")
               .as_dict();
  build(R"({"type": "GenerateLocalizationLabels"})")->apply(s);
  // The features cover 80/100 * 10 = 8 s: [2, 4] -> [0.25, 0.5]; [-1, 9.5] clamps to [0, 1].
  const torch::Tensor& g = *s.tensor("gt_bbox");
  EXPECT_EQ(g.scalar_type(), torch::kDouble);
  EXPECT_TRUE(g.equal(torch::tensor({{0.25, 0.5}, {0.0, 1.0}}, torch::kDouble)));
  s.info.set("annotations", Value::list({Value(Dict())}));
  EXPECT_NE(test::error_of([&] {
              build(R"({"type": "GenerateLocalizationLabels"})")->apply(s);
            }).find("segment"),
            std::string::npos);
}

TEST(LoadProposals, SharedProposalsAndFeatures) {
  TUBELET_REQUIRE_SHARED();
  const std::string cfg = R"({"type": "LoadProposals", "top_k": 5, "pgm_proposals_dir": ")" +
                          (assets() / "proposals").string() + R"(", "pgm_features_dir": ")" +
                          (assets() / "bsp_features").string() + "\"}";
  Sample s;
  s.info.set("video_name", Value("v_test1"));
  build(cfg)->apply(s);
  const torch::Tensor& bsp = *s.tensor("bsp_feature");
  EXPECT_EQ(bsp.sizes(), (std::vector<int64_t>{5, 32}));  // the .npy is float64 [665, 32]
  EXPECT_EQ(bsp.scalar_type(), torch::kFloat);
  EXPECT_EQ(bsp[0][0].item<float>(), 0.26206255f);
  EXPECT_EQ(bsp[0][2].item<float>(), 0.7587315f);
  EXPECT_TRUE(s.tensor("tmin")->equal(torch::tensor({0.1f, 0.2f, 0.3f, 0.4f, 0.5f})));
  EXPECT_TRUE(s.tensor("tmax_score")->equal(torch::tensor({0.96f, 0.95f, 0.94f, 0.93f, 0.92f})));
  EXPECT_TRUE(s.tensor("reference_temporal_iou")
                  ->equal(torch::tensor({0.85f, 0.84f, 0.83f, 0.82f, 0.81f})));
}

// A version-1 .npy of `descr` and `shape` around raw bytes.
void write_npy(const std::filesystem::path& p, const std::string& descr, const std::string& shape,
               bool fortran, const std::string& bytes) {
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::ofstream out(p, std::ios::binary);
  out << "\x93NUMPY" << '\x01' << '\x00' << static_cast<char>(header.size() & 0xff)
      << static_cast<char>(header.size() >> 8) << header << bytes;
}

TEST(LoadNpy, TypesOrdersAndErrors) {
  test::TempDir dir;
  std::vector<float> values{1, 2, 3, 4, 5, 6};
  write_npy(dir.path() / "c.npy", "<f4", "(2, 3)", false,
            std::string(reinterpret_cast<const char*>(values.data()), 24));
  EXPECT_TRUE(load_npy((dir.path() / "c.npy").string())
                  .equal(torch::tensor({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}})));
  // Fortran order stores columns first.
  write_npy(dir.path() / "f.npy", "<f4", "(2, 3)", true,
            std::string(reinterpret_cast<const char*>(values.data()), 24));
  EXPECT_TRUE(load_npy((dir.path() / "f.npy").string())
                  .equal(torch::tensor({{1.f, 3.f, 5.f}, {2.f, 4.f, 6.f}})));
  write_npy(dir.path() / "b.npy", ">i4", "(2,)", false, std::string("\0\0\0\x07\0\0\x01\0", 8));
  EXPECT_TRUE(
      load_npy((dir.path() / "b.npy").string()).equal(torch::tensor({7, 256}, torch::kInt)));
  write_npy(dir.path() / "t.npy", "<f8", "(4,)", false, std::string(8, '\0'));
  EXPECT_NE(test::error_of([&] { load_npy((dir.path() / "t.npy").string()); }).find("truncated"),
            std::string::npos);
  dir.write("x.npy", "not numpy");
  EXPECT_NE(test::error_of([&] { load_npy((dir.path() / "x.npy").string()); }).find("not a .npy"),
            std::string::npos);
}

TEST(LoadProposals, ErrorsNameFileAndVideo) {
  test::TempDir dir;
  dir.write("p/v_a.csv", "tmin,tmax,tmin_score,tmax_score,score\n0.1,0.2,0.9,0.9,0.9\n");
  dir.write("p/v_b.csv", "a,b,c,d,e,f\n0.1,0.2,0.9,0.9,0.9,0.5\n");
  const std::string cfg = R"({"type": "LoadProposals", "top_k": 3, "pgm_proposals_dir": ")" +
                          (dir.path() / "p").string() + R"(", "pgm_features_dir": ")" +
                          (dir.path() / "f").string() + "\"}";
  Sample a;
  a.info.set("video_name", Value("v_a"));
  std::string e = test::error_of([&] { build(cfg)->apply(a); });
  EXPECT_NE(e.find("v_a.csv (video v_a): 5 columns"), std::string::npos) << e;
  Sample b;
  b.info.set("video_name", Value("v_b"));
  e = test::error_of([&] { build(cfg)->apply(b); });
  EXPECT_NE(e.find((dir.path() / "f/v_b.npy").string()), std::string::npos) << e;
  EXPECT_NE(e.find("video v_b"), std::string::npos) << e;
  EXPECT_NE(test::error_of([] {
              build(R"({"type": "LoadProposals", "top_k": 1, "pgm_proposals_dir": "p",
                        "pgm_features_dir": "f", "feature_ext": ".pkl"})");
            }).find("not implemented"),
            std::string::npos);
  EXPECT_NE(test::error_of([] {
              build(R"({"type": "LoadProposals", "top_k": 1})");
            }).find("pgm_proposals_dir"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::localization_loading_test
