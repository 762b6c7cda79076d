// The localization metrics against MMAction2 0.24.1: its own test cases
// (tests/test_metrics/test_accuracy.py), hand-computed cases, random cases whose expected
// values MMAction2's functions computed (tools/fixtures/make_localization_eval_fixtures.py ->
// tests/fixtures/localization_eval/expected.json), and MMAction2's eval_localization assets.
#include <gtest/gtest.h>

#include <cmath>

#include "support/paths.h"
#include "tubelet/config/dump.h"
#include "tubelet/evaluation/localization/activitynet_json.h"
#include "tubelet/evaluation/localization/activitynet_localization.h"
#include "tubelet/evaluation/localization/average_recall.h"
#include "tubelet/evaluation/localization/detection_average_precision.h"
#include "tubelet/evaluation/localization/numpy_argsort.h"
#include "tubelet/evaluation/localization/numpy_reductions.h"
#include "tubelet/evaluation/localization/temporal_iou.h"

namespace tubelet::localization_metrics_test {
namespace {

const Dict& expected() {
  static const Value v = load_json_file(
      (test::source_dir() / "tests/fixtures/localization_eval/expected.json").string());
  return v.as_dict();
}

std::vector<double> doubles(const Value& v) {
  std::vector<double> out;
  for (const Value& x : v.as_list()) out.push_back(x.as_float());
  return out;
}

VideoGroundTruth truth(const std::string& id, std::vector<TemporalSegment> segments,
                       std::vector<std::string> labels = {}) {
  VideoGroundTruth v{id, {}};
  for (size_t i = 0; i < segments.size(); ++i)
    v.instances.push_back(
        {segments[i], labels.empty() ? std::nullopt : std::optional<std::string>(labels[i])});
  return v;
}

VideoProposals proposals(const std::string& id, std::vector<std::array<double, 3>> rows,
                         std::optional<std::string> label = std::nullopt) {
  VideoProposals v{id, {}};
  for (const auto& r : rows) v.proposals.push_back({{r[0], r[1]}, r[2], label});
  return v;
}

TEST(PairwiseTemporalIou, MMAction2TestCases) {
  TemporalOverlap o =
      pairwise_temporal_iou({{2, 3}, {2.5, 3}}, {{1, 2}, {2, 3}}, SegmentPrecision::kFloat64, true);
  EXPECT_EQ(o.iou, (std::vector<std::vector<float>>{{0, 0}, {1, 0.5}}));
  EXPECT_EQ(o.overlap_self, (std::vector<std::vector<float>>{{0, 0}, {1, 1}}));
}

TEST(PairwiseTemporalIou, HandComputed) {
  // [0, 4] and [2, 8]: intersection 2, union 8. Disjoint segments give 0, not a negative.
  TemporalOverlap o = pairwise_temporal_iou({{0, 4}}, {{2, 8}, {5, 6}});
  EXPECT_FLOAT_EQ(o.iou[0][0], 0.25f);
  EXPECT_FLOAT_EQ(o.iou[1][0], 0.f);
  // In float32 the ends are rounded first: 1000.00001 collapses onto 1000.
  TemporalOverlap f =
      pairwise_temporal_iou({{1000.00001, 1001}}, {{1000, 1001}}, SegmentPrecision::kFloat32);
  EXPECT_EQ(f.iou[0][0], 1.f);
  TemporalOverlap d = pairwise_temporal_iou({{1000.00001, 1001}}, {{1000, 1001}});
  EXPECT_LT(d.iou[0][0], 1.f);
}

TEST(NumpyReductions, LinspaceIsNumpys) {
  EXPECT_EQ(default_temporal_iou_thresholds(), doubles(expected().at("linspace")));
  EXPECT_EQ(numpy_linspace(0, 1, 1), std::vector<double>{0});
}

TEST(NumpyReductions, PairwiseSumAndTrapz) {
  EXPECT_EQ(numpy_sum({}), 0.);
  std::vector<double> v(300, 0.1);
  double sequential = 0;
  for (double x : v) sequential += x;
  EXPECT_NEAR(numpy_sum(v), 30., 1e-12);
  EXPECT_NE(numpy_sum(v), sequential);  // the order differs from a plain loop
  EXPECT_DOUBLE_EQ(numpy_trapz({0, 1, 1}, {0, 1, 3}), 0.5 + 2.);
}

TEST(NumpyArgsort, MatchesNumpysQuicksortOnTies) {
  // np.argsort on arrays of few distinct values (and NaN, written as null): the order among
  // equal values is numpy's introsort's, not a stable sort's.
  for (const Value& c : expected().at("argsort").as_list()) {
    std::vector<double> values;
    for (const Value& x : c.as_dict().at("values").as_list())
      values.push_back(x.is_none() ? std::nan("") : x.as_float());
    std::vector<size_t> want;
    for (const Value& i : c.as_dict().at("argsort").as_list())
      want.push_back(static_cast<size_t>(i.as_int()));
    EXPECT_EQ(numpy_argsort(values), want) << values.size() << " values";
  }
}

TEST(AverageRecall, MMAction2TestCases) {
  std::vector<VideoGroundTruth> gt1 = {truth("v_test1", {{0, 1}, {1, 2}}),
                                       truth("v_test2", {{0, 1}, {1, 2}})};
  std::vector<VideoProposals> p1 = {proposals("v_test1", {{{0, 1, 1}, {1, 2, 1}}}),
                                    proposals("v_test2", {{{0, 1, 1}, {1, 2, 1}}})};
  std::vector<double> thresholds = default_temporal_iou_thresholds();
  AverageRecallResult r = average_recall_at_avg_proposals(gt1, p1, std::nullopt, thresholds);
  std::vector<double> row(100, 0.5);
  std::fill(row.begin(), row.begin() + 49, 0.);
  row.back() = 1.;
  ASSERT_EQ(r.recall.size(), 10u);
  for (const auto& rec : r.recall) EXPECT_EQ(rec, row);
  EXPECT_EQ(r.average_recall, row);
  for (size_t j = 0; j < 100; ++j) EXPECT_NEAR(r.proposals_per_video[j], 0.02 * (j + 1), 1e-10);
  EXPECT_EQ(r.auc, 25.5);

  std::vector<VideoProposals> p2 = {proposals("v_test1", {{{10, 11, 0.6}, {11, 12, 0.4}}}),
                                    proposals("v_test2", {{{10, 11, 0.6}, {11, 12, 0.4}}})};
  r = average_recall_at_avg_proposals(gt1, p2, std::nullopt, thresholds);
  for (const auto& rec : r.recall) EXPECT_EQ(rec, std::vector<double>(100, 0.));
  EXPECT_EQ(r.auc, 0.);

  std::vector<std::array<double, 3>> rows;
  for (int i = 0; i < 100; ++i) rows.push_back({double(i), i + 1., 1. / (i + 1)});
  r = average_recall_at_avg_proposals({truth("v_test1", {{0, 1}})}, {proposals("v_test1", rows)},
                                      std::nullopt, thresholds);
  for (const auto& rec : r.recall) EXPECT_EQ(rec, std::vector<double>(100, 1.));
  for (size_t j = 0; j < 100; ++j) EXPECT_NEAR(r.proposals_per_video[j], j + 1., 1e-10);
  EXPECT_EQ(r.auc, 99.0);
}

TEST(AverageRecall, HandComputedCutOff) {
  // max_avg_proposals 1 over one video with 4 proposals: only the best one counts, and the
  // k-th percent column sees int(1 * k / 100) of it, so only the last column (k = 100).
  std::vector<VideoProposals> p = {
      proposals("a", {{{0, 10, 0.2}, {50, 60, 0.9}, {0, 9, 0.5}, {30, 40, 0.1}}})};
  AverageRecallResult r =
      average_recall_at_avg_proposals({truth("a", {{0, 10}, {50, 60}})}, p, 1., {0.5});
  EXPECT_EQ(r.recall[0][98], 0.);
  EXPECT_EQ(r.recall[0][99], 0.5);  // [50, 60] found, [0, 10] not
  EXPECT_DOUBLE_EQ(r.auc, 100. * (0.01 * 0.5 / 2) / 1.);
}

TEST(AverageRecall, MatchesMMAction2OnRandomCases) {
  for (const Value& c : expected().at("cases").as_list()) {
    const Dict& k = c.as_dict();
    SCOPED_TRACE(k.at("name").as_str());
    auto gt = import_activitynet_ground_truth(k.at("ground_truth"), "gt");
    auto results = import_activitynet_results(k.at("results"), "results");
    const Value& max_avg = k.at("max_avg_proposals");
    AverageRecallResult r = average_recall_at_avg_proposals(
        gt, results, max_avg.is_none() ? std::nullopt : std::optional<double>(max_avg.as_float()),
        doubles(k.at("thresholds")));
    const List& recall = k.at("recall").as_list();
    ASSERT_EQ(r.recall.size(), recall.size());
    for (size_t t = 0; t < recall.size(); ++t) EXPECT_EQ(r.recall[t], doubles(recall[t]));
    EXPECT_EQ(r.average_recall, doubles(k.at("average_recall")));
    EXPECT_EQ(r.proposals_per_video, doubles(k.at("proposals_per_video")));
    EXPECT_EQ(r.auc, k.at("auc").as_float());
  }
}

TEST(DetectionAveragePrecision, InterpolatedHandComputed) {
  // Envelope 1, 1, 2/3 over recall steps 0 -> 0.5 -> 1.
  EXPECT_NEAR(interpolated_precision_recall({1., 0.5, 2. / 3}, {0.5, 0.5, 1.}), 0.5 + 0.5 * 2 / 3,
              1e-15);
  EXPECT_EQ(interpolated_precision_recall({}, {}), 0.);
}

TEST(DetectionAveragePrecision, HandComputedMap) {
  std::vector<VideoGroundTruth> gt = {truth("A", {{0, 10}}, {"x"}),
                                      truth("B", {{0, 10}, {20, 30}}, {"x", "y"})};
  std::vector<VideoProposals> det = {proposals("A", {{{0, 10, 0.9}}}, "x"),
                                     proposals("B", {{{0, 5, 0.8}}}, "x"),
                                     proposals("B", {{{20, 30, 0.7}}}, "y")};
  // x at 0.5: both match (AP 1); at 0.75 B's IoU 0.5 misses: precision 1, 1/2 at recall 1/2
  // -> AP 1/2. y: AP 1 at both.
  DetectionMapResult r = activitynet_detection_map(gt, det, {0.5, 0.75});
  EXPECT_EQ(r.classes, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(r.ap, (std::vector<std::vector<double>>{{1, 1}, {0.5, 1}}));
  EXPECT_EQ(r.map, (std::vector<double>{1, 0.75}));
  EXPECT_EQ(r.average_map, 0.875);
  // A second detection of an already matched instance is a false positive.
  det.push_back(proposals("A", {{{0, 10, 0.95}}}, "x"));
  r = activitynet_detection_map(gt, det, {0.5});
  EXPECT_NEAR(r.ap[0][0], 0.5 * 1 + 0.5 * (2. / 3), 1e-15);
}

TEST(DetectionAveragePrecision, MatchesMMAction2OnRandomCases) {
  for (const Value& c : expected().at("cases").as_list()) {
    const Dict& k = c.as_dict();
    SCOPED_TRACE(k.at("name").as_str());
    DetectionMapResult r = activitynet_detection_map(
        import_activitynet_ground_truth(k.at("ground_truth"), "gt"),
        import_activitynet_results(k.at("results"), "results"), doubles(k.at("thresholds")));
    std::vector<std::string> classes;
    for (const Value& name : k.at("classes").as_list()) classes.push_back(name.as_str());
    EXPECT_EQ(r.classes, classes);
    EXPECT_EQ(r.map, doubles(k.at("mAP")));
    EXPECT_EQ(r.average_map, k.at("average_mAP").as_float());
  }
}

// MMAction2's eval_localization assets. AR@AN: ActivityNetDataset.evaluate run by the fixture
// generator (expected.json "shared_assets"); mAP: the numbers MMAction2's own test asserts.
TEST(LocalizationAssets, MatchMMAction2) {
  TUBELET_REQUIRE_SHARED();
  const auto dir = test::shared_dir() / "data/mmaction2-assets/eval_localization";
  auto gt = import_activitynet_ground_truth(load_json_file((dir / "gt.json").string()), "gt.json");
  auto results =
      import_activitynet_results(load_json_file((dir / "result.json").string()), "result.json");
  AverageRecallResult r =
      average_recall_at_avg_proposals(gt, results, 100., default_temporal_iou_thresholds());
  const Dict& want = expected().at("shared_assets").as_dict().at("AR@AN").as_dict();
  EXPECT_EQ(r.auc, want.at("auc").as_float());  // 72.525
  EXPECT_EQ(numpy_mean({r.recall[0][0]}), 0.);
  auto column = [&](size_t j) {
    std::vector<double> c;
    for (const auto& row : r.recall) c.push_back(row[j]);
    return numpy_mean(c);
  };
  EXPECT_EQ(column(0), want.at("AR@1").as_float());     // 0.0
  EXPECT_EQ(column(4), want.at("AR@5").as_float());     // 0.6
  EXPECT_EQ(column(9), want.at("AR@10").as_float());    // 0.75
  EXPECT_EQ(column(99), want.at("AR@100").as_float());  // 0.75

  DetectionMapResult m = activitynet_detection_map(gt, results, default_temporal_iou_thresholds());
  const std::vector<double> asserted = {0.71428571, 0.71428571, 0.71428571, 0.6875,     0.6875,
                                        0.59722222, 0.52083333, 0.52083333, 0.52083333, 0.5};
  ASSERT_EQ(m.map.size(), asserted.size());
  for (size_t t = 0; t < asserted.size(); ++t) EXPECT_NEAR(m.map[t], asserted[t], 1e-8);
  EXPECT_NEAR(m.average_map, 0.6177579365079365, 1e-15);
  EXPECT_EQ(m.map, doubles(expected().at("shared_assets").as_dict().at("mAP")));
}

TEST(LocalizationInput, ErrorsNameFileAndVideo) {
  auto gt_error = [](const std::string& json) {
    return test::error_of([&] { import_activitynet_ground_truth(from_json(json), "gt.json"); });
  };
  EXPECT_EQ(gt_error(R"({"v_abc": {"duration": 3}})"),
            "gt.json: video 'v_abc' has no 'annotations'");
  EXPECT_EQ(gt_error(R"({"v_abc": {"annotations": [{"label": "x"}]}})"),
            "gt.json: video 'v_abc' annotation 0 has no 'segment'");
  EXPECT_EQ(gt_error(R"({"v_abc": {"annotations": [{"segment": [1]}]}})"),
            "gt.json: video 'v_abc' annotation 0 has segment [1], not [t_start, t_end]");
  EXPECT_NE(gt_error(R"({"database": {}})").find("official ActivityNet layout"), std::string::npos);
  std::string e = test::error_of([] {
    import_activitynet_results(from_json(R"({"results": {"abc": [{"segment": [0, 1]}]}})"),
                               "r.json");
  });
  EXPECT_EQ(e, "r.json: video 'abc' has proposal 0 without a number 'score'");

  test::TempDir dir;
  auto bad = dir.write("bad.json", "{\"results\": {\"abc\": [}\n");
  e = test::error_of([&] { load_json_file(bad.string()); });
  EXPECT_NE(e.find("bad.json:1:"), std::string::npos) << e;
  EXPECT_NE(test::error_of([&] {
              load_json_file((dir.path() / "none.json").string());
            }).find("none.json"),
            std::string::npos);

  std::vector<VideoGroundTruth> gt = {truth("abc", {{0, 1}})};
  EXPECT_EQ(test::error_of([&] {
              average_recall_at_avg_proposals(
                  gt, {proposals("abc", {{{0, 1, 1}}}), proposals("xyz", {{{0, 1, 1}}})}, 100.,
                  {0.5});
            }),
            "AR@AN: proposals for video 'xyz', which the ground truth does not have");
  EXPECT_EQ(test::error_of([&] { average_recall_at_avg_proposals(gt, {}, 100., {0.5}); }),
            "AR@AN: there is no proposal at all");
  EXPECT_EQ(test::error_of([&] {
              average_recall_at_avg_proposals({truth("abc", {{0, 1}}), truth("def", {{0, 1}})},
                                              {proposals("abc", {{{0, 1, 1}}})}, 100., {0.5});
            }),
            "AR@AN: no proposals for ground-truth video 'def'");
  EXPECT_EQ(test::error_of([&] {
              average_recall_at_avg_proposals({truth("abc", {})}, {proposals("abc", {{{0, 1, 1}}})},
                                              100., {0.5});
            }),
            "AR@AN: ground-truth video 'abc' has no annotated segment");
  EXPECT_EQ(test::error_of([&] {
              activitynet_detection_map({truth("abc", {{0, 1}}, {"x"})},
                                        {proposals("abc", {{{0, 1, 1}}}, "y")}, {0.5});
            }),
            "mAP: video 'abc' has a detection of 'y', a label the ground truth does not have");
}

}  // namespace
}  // namespace tubelet::localization_metrics_test
