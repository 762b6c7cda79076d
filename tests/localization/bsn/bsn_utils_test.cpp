// BSN's candidate proposals and BSP features against MMAction2 0.24.1: the numbers its own
// tests/test_utils/test_localization_utils.py asserts on its test assets (../shared), and
// tests/fixtures/bsn, written by tools/fixtures/make_bsn_fixtures.py running MMAction2's
// bsn_utils.py source.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/data/localization/feature_files.h"
#include "tubelet/localization/bsn/bsp_feature.h"
#include "tubelet/localization/bsn/candidate_proposals.h"
#include "tubelet/localization/bsn/video_infos.h"

namespace tubelet::bsn::bsn_utils_test {
namespace {

std::filesystem::path assets() {
  return test::shared_dir() / "data/mmaction2-assets";
}

std::filesystem::path fixtures() {
  return test::source_dir() / "tests/fixtures/bsn";
}

// The video_infos of MMAction2's test: 100 s, 1000 frames, features over 900 of them.
Dict video(const std::string& name, double start, double end) {
  Dict segment;
  segment.set("segment", Value::list({Value(start), Value(end)}));
  Dict info;
  info.set("video_name", Value(name));
  info.set("duration_second", Value(100));
  info.set("duration_frame", Value(1000));
  info.set("annotations", Value::list({Value(segment)}));
  info.set("feature_frame", Value(900));
  return info;
}

torch::Tensor table(std::initializer_list<std::initializer_list<double>> rows) {
  std::vector<torch::Tensor> r;
  for (const auto& row : rows) r.push_back(torch::tensor(std::vector<double>(row), torch::kDouble));
  return torch::stack(r);
}

void expect_near(const torch::Tensor& actual, const torch::Tensor& expected, double tol) {
  ASSERT_EQ(actual.sizes(), expected.sizes());
  const double diff = (actual.to(torch::kDouble) - expected).abs().max().item<double>();
  EXPECT_LE(diff, tol) << actual << "\nexpected\n" << expected;
}

// Parses a proposal CSV in float64 (load_csv_table reads float32).
torch::Tensor read_double_csv(const std::filesystem::path& path) {
  std::istringstream in(test::read_text(path));
  std::string line;
  std::getline(in, line);
  std::vector<double> values;
  int64_t rows = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    for (std::string f; std::getline(fields, f, ',');) values.push_back(std::stod(f));
    ++rows;
  }
  return torch::tensor(values, torch::kDouble).reshape({rows, -1});
}

TEST(BsnCandidateProposals, MatchesMMAction2TestAssets) {
  TUBELET_REQUIRE_SHARED();
  CandidateProposalsOptions options;
  options.temporal_scale(5).peak_threshold(0.5);
  struct Case {
    Dict info;
    torch::Tensor expected;
  };
  // assert_result1 / assert_result2 of test_generate_candidate_proposals
  Case cases[] = {
      {video("v_test1", 30.0, 60.0),
       table({{0.1, 0.7, 0.58390868, 0.35708317, 0.20850396, 0.55555556, 0.55555556},
              {0.1, 0.5, 0.58390868, 0.32605207, 0.19038463, 0.29411765, 0.41666667},
              {0.1, 0.3, 0.58390868, 0.26221931, 0.15311213, 0., 0.},
              {0.3, 0.7, 0.30626667, 0.35708317, 0.10936267, 0.83333333, 0.83333333},
              {0.3, 0.5, 0.30626667, 0.32605207, 0.09985888, 0.45454545, 0.83333333}})},
      {video("v_test2", 6.0, 8.0), table({{0.1, 0.3, 0.78390867, 0.3622193, 0.28394685, 0., 0.},
                                          {0.1, 0.7, 0.78390867, 0.35708317, 0.27992059, 0., 0.},
                                          {0.1, 0.5, 0.78390867, 0.32605207, 0.25559504, 0., 0.}})},
  };
  for (const Case& c : cases) {
    const std::string name = c.info.at("video_name").as_str();
    torch::Tensor tem = load_csv_table((assets() / "tem_results" / (name + ".csv")).string(), name);
    torch::Tensor got =
        generate_candidate_proposals(tem, feature_time_segments(c.info, "<test>"), options);
    EXPECT_EQ(got.scalar_type(), torch::kDouble);
    SCOPED_TRACE(name);
    // assert_array_almost_equal: 6 decimals
    expect_near(got, c.expected, 1.5e-6);
  }
}

TEST(BsnBspFeature, MatchesMMAction2TestAssets) {
  TUBELET_REQUIRE_SHARED();
  BspFeatureOptions options;
  options.top_k(2);
  // assert_result1 of test_generate_bsp_feature (v_test1); v_test2's first row
  torch::Tensor expected1 =
      table({{0.02633105, 0.02489364, 0.02345622, 0.0220188,  0.02058138, 0.01914396, 0.01770654,
              0.01626912, 0.01541432, 0.01514214, 0.01486995, 0.01459776, 0.01432558, 0.01405339,
              0.01378121, 0.01350902, 0.03064331, 0.02941124, 0.02817916, 0.02694709, 0.02571502,
              0.02448295, 0.02325087, 0.0220188,  0.01432558, 0.01409228, 0.01385897, 0.01362567,
              0.01339237, 0.01315907, 0.01292577, 0.01269246},
             {0.01350902, 0.01323684, 0.01296465, 0.01269246, 0.01242028, 0.01214809, 0.01187591,
              0.01160372, 0.01154264, 0.01169266, 0.01184269, 0.01199271, 0.01214273, 0.01229275,
              0.01244278, 0.0125928,  0.01432558, 0.01409228, 0.01385897, 0.01362567, 0.01339237,
              0.01315907, 0.01292577, 0.01269246, 0.01214273, 0.01227132, 0.01239991, 0.0125285,
              0.0126571,  0.01278569, 0.01291428, 0.01304287}});
  torch::Tensor expected2 =
      table({{0.04133105, 0.03922697, 0.03712288, 0.0350188,  0.03291471, 0.03081063, 0.02870654,
              0.02660246, 0.02541432, 0.02514214, 0.02486995, 0.02459776, 0.02432558, 0.02405339,
              0.02378121, 0.02350902, 0.04764331, 0.04583981, 0.04403631, 0.04223281, 0.0404293,
              0.0386258,  0.0368223,  0.0350188,  0.02432558, 0.02409228, 0.02385897, 0.02362567,
              0.02339237, 0.02315907, 0.02292577, 0.02269246},
             {0.02350902, 0.02323684, 0.02296465, 0.02269246, 0.02242028, 0.02214809, 0.02187591,
              0.02160372, 0.02120931, 0.02069266, 0.02017602, 0.01965937, 0.01914273, 0.01862609,
              0.01810944, 0.0175928,  0.02432558, 0.02409228, 0.02385897, 0.02362567, 0.02339237,
              0.02315907, 0.02292577, 0.02269246, 0.01914273, 0.01869989, 0.01825706, 0.01781422,
              0.01737138, 0.01692854, 0.0164857,  0.01604287}});
  const std::pair<const char*, torch::Tensor> cases[] = {{"v_test1", expected1},
                                                         {"v_test2", expected2}};
  for (const auto& [name, expected] : cases) {
    SCOPED_TRACE(name);
    torch::Tensor tem =
        load_csv_table((assets() / "tem_results" / (std::string(name) + ".csv")).string(), name);
    torch::Tensor proposals =
        load_csv_table((assets() / "proposals" / (std::string(name) + ".csv")).string(), name);
    torch::Tensor got = generate_bsp_feature(tem, proposals, options);
    EXPECT_EQ(got.scalar_type(), torch::kDouble);
    expect_near(got, expected, 1.5e-8);
  }
}

TEST(BsnBspFeature, SharedAssetFileReads) {
  TUBELET_REQUIRE_SHARED();
  // bsp_features/v_test1.npy is the BSP feature file of MMAction2's LoadProposals test (not an
  // output of the inputs above): rows of 32 values, as generate_bsp_feature writes them.
  torch::Tensor stored = load_npy((assets() / "bsp_features/v_test1.npy").string());
  EXPECT_EQ(stored.dim(), 2);
  EXPECT_EQ(stored.size(1), 32);
}

TEST(BsnCandidateProposals, MatchFixturesOfMMAction2Source) {
  const auto infos = load_video_infos((fixtures() / "anno.json").string());
  ASSERT_EQ(infos.size(), 3u);
  CandidateProposalsOptions options;
  options.temporal_scale(12).peak_threshold(0.5);
  for (const Dict& info : infos) {
    const std::string name = info.at("video_name").as_str();
    SCOPED_TRACE(name);
    torch::Tensor tem =
        load_csv_table((fixtures() / "tem_results" / (name + ".csv")).string(), name);
    torch::Tensor got =
        generate_candidate_proposals(tem, feature_time_segments(info, "anno.json"), options);
    torch::Tensor expected = read_double_csv(fixtures() / "pgm_proposals" / (name + ".csv"));
    // the same float64 operations in the same order: equal to the last bit
    ASSERT_EQ(got.sizes(), expected.sizes());
    EXPECT_TRUE(torch::equal(got, expected)) << got - expected;
  }
}

TEST(BsnBspFeature, MatchFixturesOfMMAction2Source) {
  const auto infos = load_video_infos((fixtures() / "anno.json").string());
  BspFeatureOptions options;
  // params.json
  options.top_k(20).bsp_boundary_ratio(0.2).num_sample_start(4).num_sample_end(3);
  options.num_sample_action(6).num_sample_interp(2);
  for (const Dict& info : infos) {
    const std::string name = info.at("video_name").as_str();
    SCOPED_TRACE(name);
    torch::Tensor tem =
        load_csv_table((fixtures() / "tem_results" / (name + ".csv")).string(), name);
    torch::Tensor proposals =
        load_csv_table((fixtures() / "pgm_proposals" / (name + ".csv")).string(), name);
    torch::Tensor got = generate_bsp_feature(tem, proposals, options);
    torch::Tensor expected = load_npy((fixtures() / "pgm_features" / (name + ".npy")).string());
    EXPECT_EQ(expected.scalar_type(), torch::kDouble);
    expect_near(got, expected, 1e-15);
  }
}

TEST(BsnCandidateProposals, Errors) {
  Dict info = video("v_x", 1.0, 2.0);
  const auto gt = feature_time_segments(info, "a.json");
  CandidateProposalsOptions options;
  options.temporal_scale(8);
  torch::Tensor short_tem = torch::rand({5, 5});
  EXPECT_NE(test::error_of([&] {
              generate_candidate_proposals(short_tem, gt, options);
            }).find("at least temporal_scale (8) rows"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              generate_candidate_proposals(torch::rand({8, 5}), {}, options);
            }).find("no ground-truth segments"),
            std::string::npos);
  info.set("annotations", Value::list());
  EXPECT_EQ(test::error_of([&] { feature_time_segments(info, "a.json"); }),
            "a.json: video 'v_x' has no annotated segments to match proposals against");
  Dict no_frame = video("v_y", 1.0, 2.0);
  no_frame.erase("feature_frame");
  EXPECT_EQ(test::error_of([&] { feature_time_segments(no_frame, "a.json"); }),
            "a.json: video 'v_y' has no numeric 'feature_frame'");
}

TEST(BsnCandidateProposals, FirstAndLastBinsAreAlwaysCandidates) {
  // flat curves: no peak, nothing above half the maximum except... everything equal, so only the
  // forced first/last bins: one proposal from the first bin centre to the last.
  torch::Tensor tem = torch::full({4, 5}, 0.25f);
  CandidateProposalsOptions options;
  options.temporal_scale(4).peak_threshold(1.0);
  torch::Tensor got = generate_candidate_proposals(tem, {{0.0, 0.5}}, options);
  ASSERT_EQ(got.size(0), 1);
  EXPECT_DOUBLE_EQ(got[0][0].item<double>(), 0.125);
  EXPECT_DOUBLE_EQ(got[0][1].item<double>(), 0.875);
  EXPECT_DOUBLE_EQ(got[0][4].item<double>(), 0.0625);
  // IoU of [0.125, 0.875] with [0, 0.5]: 0.375 / 0.875; IoP: 0.375 / 0.75
  EXPECT_DOUBLE_EQ(got[0][5].item<double>(), 0.375 / 0.875);
  EXPECT_DOUBLE_EQ(got[0][6].item<double>(), 0.5);
}

TEST(BsnBspFeature, TopKAndErrors) {
  torch::Tensor tem = torch::rand({6, 5});
  torch::Tensor proposals = torch::tensor({0.1f, 0.5f, 0.2f, 0.9f, 0.0f, 0.3f}).reshape({3, 2});
  BspFeatureOptions options;
  EXPECT_EQ(generate_bsp_feature(tem, proposals, options.top_k(2)).sizes(),
            (std::vector<int64_t>{2, 32}));
  EXPECT_EQ(generate_bsp_feature(tem, proposals, options.top_k(-1)).size(0), 2);
  EXPECT_EQ(generate_bsp_feature(tem, proposals, options.top_k(0)).sizes(),
            (std::vector<int64_t>{0, 32}));
  EXPECT_NE(test::error_of([&] {
              generate_bsp_feature(torch::rand({6, 3}), proposals, options);
            }).find("action,start,end,tmin,tmax"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::bsn::bsn_utils_test
