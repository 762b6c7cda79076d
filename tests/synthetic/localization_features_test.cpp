// The synthetic localization set: determinism, annotations consistent with the features'
// time span, class patterns visible inside the segments only, and the files read back by
// ActivityNetDataset with MMAction2's loading pipeline (LoadLocalizationFeature,
// GenerateLocalizationLabels).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/dataset.h"
#include "tubelet/data/registries.h"
#include "tubelet/synthetic/localization_features.h"

namespace tubelet::synthetic::localization_features_test {
namespace {

namespace fs = std::filesystem;

TEST(SyntheticLocalizationFeatures, DeterministicAndSegmentsInsideTheCoveredTime) {
  LocalizationFeaturesOptions o;
  o.videos(20).seed(3);
  for (int64_t i = 0; i < o.videos(); ++i) {
    LocalizationVideo a = sample_localization_video(i, o), b = sample_localization_video(i, o);
    EXPECT_EQ(a.duration_frame, b.duration_frame);
    EXPECT_TRUE(
        torch::equal(render_localization_features(a, i, o), render_localization_features(b, i, o)));
    ASSERT_GE(a.segments.size(), 1u);
    ASSERT_LE(a.segments.size(), 3u);
    const double covered = static_cast<double>(a.feature_frame) / a.fps;
    EXPECT_EQ(a.feature_frame % 16, 0);
    EXPECT_LE(a.feature_frame, a.duration_frame);
    double previous_end = 0;
    for (const LocalizationSegment& s : a.segments) {
      EXPECT_GE(s.start, previous_end);
      EXPECT_LT(s.start, s.end);
      EXPECT_LE(s.end, covered + 1e-9);
      previous_end = s.end;
    }
  }
  LocalizationFeaturesOptions other = o;
  other.seed(4);
  EXPECT_FALSE(
      torch::equal(render_localization_features(sample_localization_video(0, o), 0, o),
                   render_localization_features(sample_localization_video(0, other), 0, other)));
}

TEST(SyntheticLocalizationFeatures, PatternsShowInsideSegments) {
  LocalizationFeaturesOptions o;
  o.videos(30).noise(0.5);
  // Inside a segment a snippet correlates with its class pattern (the mean of the features of
  // fully covered snippets of that class); outside, with none.
  double inside = 0, outside = 0;
  int64_t n_inside = 0, n_outside = 0;
  for (int64_t i = 0; i < o.videos(); ++i) {
    LocalizationVideo v = sample_localization_video(i, o);
    torch::Tensor f = render_localization_features(v, i, o);
    const double covered = static_cast<double>(v.feature_frame) / v.fps;
    const double step = covered / static_cast<double>(o.temporal_scale());
    for (int64_t t = 0; t < o.temporal_scale(); ++t) {
      const double lo = step * static_cast<double>(t), hi = lo + step;
      bool in = false, near = false;
      for (const LocalizationSegment& s : v.segments) {
        in |= s.start <= lo && hi <= s.end;
        near |= s.start < hi && lo < s.end;
      }
      const double energy = f[t].abs().mean().item<double>();
      if (in) inside += energy, ++n_inside;
      if (!near) outside += energy, ++n_outside;
    }
  }
  ASSERT_GT(n_inside, 50);
  ASSERT_GT(n_outside, 50);
  // |N(1, 0.5)| averages ~1.0; |N(0, 0.5)| ~0.4
  EXPECT_GT(inside / n_inside, 0.9);
  EXPECT_LT(outside / n_outside, 0.5);
}

TEST(SyntheticLocalizationFeatures, FilesLoadThroughActivityNetDataset) {
  test::TempDir tmp;
  LocalizationFeaturesOptions o;
  o.videos(10).feat_dim(5).temporal_scale(8);
  LocalizationFeaturesSummary s = make_localization_features(tmp.path(), o);
  EXPECT_EQ(s.train + s.val + s.test, 10);
  EXPECT_EQ(s.val, 2);
  EXPECT_EQ(s.test, 2);
  const std::string cfg = R"({"type": "ActivityNetDataset", "ann_file": ")" +
                          (tmp.path() / "anet_anno_train.json").string() +
                          R"(", "data_prefix": ")" + (tmp.path() / "features").string() +
                          R"(", "pipeline": [{"type": "LoadLocalizationFeature"},
                                            {"type": "GenerateLocalizationLabels"}]})";
  std::shared_ptr<Dataset> dataset =
      DATASETS().build(from_json(cfg, "<test>"), BuildContext("data.train"));
  ASSERT_EQ(dataset->size(), s.train);
  Sample sample = dataset->get(0, 0);
  EXPECT_EQ(sample.tensor("raw_feature")->sizes(), (std::vector<int64_t>{5, 8}));
  const torch::Tensor& gt = *sample.tensor("gt_bbox");
  EXPECT_GE(gt.min().item<double>(), 0.0);
  EXPECT_LE(gt.max().item<double>(), 1.0);
  const Value full = from_json(test::read_text(tmp.path() / "anet_anno_full.json"), "full");
  EXPECT_EQ(full.as_dict().size(), 10u);
  const Dict& v0 = full.as_dict().at("v_00000").as_dict();
  for (const char* key :
       {"duration_second", "duration_frame", "annotations", "feature_frame", "fps", "rfps"})
    EXPECT_TRUE(v0.contains(key)) << key;
}

TEST(SyntheticLocalizationFeatures, BadArguments) {
  test::TempDir tmp;
  LocalizationFeaturesOptions o;
  EXPECT_NE(
      test::error_of([&] { make_localization_features(tmp.path(), o.videos(2)); }).find("--videos"),
      std::string::npos);
  o.videos(10).val_ratio(0.5).test_ratio(0.5);
  EXPECT_NE(test::error_of([&] { make_localization_features(tmp.path(), o); }).find("ratios"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::synthetic::localization_features_test
