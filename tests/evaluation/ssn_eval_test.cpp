// SSN's mAP evaluation against MMAction2 0.24.1's SSNDataset.evaluate on generated results
// (tests/fixtures/ssn/eval.json, written by tools/fixtures/make_ssn_fixtures.py), plus
// hand-computed regression, NMS and AP cases.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "support/paths.h"
#include "tubelet/evaluation/ssn/ssn_evaluation.h"

namespace tubelet::ssn_eval_test {
namespace {

using nlohmann::json;

json eval_fixture() {
  return json::parse(test::read_text(test::source_dir() / "tests/fixtures/ssn/eval.json"));
}

torch::Tensor tensor_of(const json& nested) {
  std::vector<double> flat;
  std::vector<int64_t> shape;
  const json* level = &nested;
  while (level->is_array()) {
    shape.push_back(static_cast<int64_t>(level->size()));
    if (level->empty()) break;
    level = &(*level)[0];
  }
  std::function<void(const json&)> walk = [&](const json& j) {
    if (j.is_array())
      for (const auto& e : j) walk(e);
    else
      flat.push_back(j.get<double>());
  };
  walk(nested);
  return torch::tensor(flat, torch::kDouble).view(shape).to(torch::kFloat);
}

struct Inputs {
  std::vector<SSNVideoScores> results;
  std::vector<SSNVideoGroundTruth> videos;
};

Inputs inputs_of(const json& f) {
  Inputs in;
  for (const auto& r : f["results"])
    in.results.push_back({tensor_of(r["relative_proposal_list"]), tensor_of(r["activity_scores"]),
                          tensor_of(r["completeness_scores"]), tensor_of(r["bbox_preds"])});
  for (const auto& v : f["videos"]) {
    SSNVideoGroundTruth gt;
    gt.video_id = v["video_id"].get<std::string>();
    gt.total_frames = v["total_frames"].get<int64_t>();
    for (const auto& g : v["gts"])
      gt.gts.push_back({g[0].get<int64_t>(), g[1].get<double>(),
                        std::min(g[2].get<double>(), double(gt.total_frames))});
    in.videos.push_back(gt);
  }
  return in;
}

void expect_rows(const std::vector<SSNDetection>& ours, const json& ref, const std::string& what,
                 double tol) {
  ASSERT_EQ(ours.size(), ref.size()) << what;
  for (size_t i = 0; i < ours.size(); ++i)
    for (size_t k = 0; k < 5; ++k)
      EXPECT_NEAR(ours[i][k], ref[i][k].get<double>(), tol) << what << " row " << i << " col " << k;
}

TEST(SSNEvaluation, MapMatchesMmaction2) {
  const json f = eval_fixture();
  const Inputs in = inputs_of(f);
  for (const auto& s : f["settings"]) {
    SSNEvaluateOptions o;
    o.top_k = s["top_k"].get<int64_t>();
    o.nms = s["nms"].get<double>();
    o.use_regression = s["use_regression"].get<bool>();
    auto got = ssn_evaluate_map(in.results, in.videos, o);
    const auto& want = s["mAP"];
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].first, want[i][0].get<std::string>());
      EXPECT_NEAR(got[i].second, want[i][1].get<double>(), 1e-12)
          << got[i].first << " top_k=" << o.top_k;
    }
  }
}

TEST(SSNEvaluation, DetectionsMatchMmaction2) {
  const json f = eval_fixture();
  const Inputs in = inputs_of(f);
  const json& s = f["settings"][0];
  std::vector<std::string> ids;
  for (const auto& v : in.videos) ids.push_back(v.video_id);
  auto dets = ssn_results_to_detections(in.results, ids, s["top_k"].get<int64_t>());
  ASSERT_EQ(dets.size(), 3u);
  const json& raw = s["class0_raw"];
  const json& final_rows = s["class0_final"];
  ASSERT_EQ(dets[0].size(), raw.size());
  for (const auto& [video, rows] : dets[0]) {
    expect_rows(rows, raw[video], video + " raw", 1e-6);
    auto after = ssn_temporal_nms(ssn_perform_regression(rows), s["nms"].get<double>());
    expect_rows(after, final_rows[video], video + " regressed and NMSed", 1e-6);
  }
}

TEST(SSNEvaluation, RegressionAndNmsByHand) {
  // center 0.3, span 0.2; dx 0.5 moves the center to 0.4, dw log(2) doubles the span.
  auto reg = ssn_perform_regression({{0.2f, 0.4f, 0.9f, 0.5f, std::log(2.f)}});
  EXPECT_NEAR(reg[0][0], 0.2, 1e-6);
  EXPECT_NEAR(reg[0][1], 0.6, 1e-6);
  // Clipped to [0, 1].
  reg = ssn_perform_regression({{0.8f, 1.0f, 0.5f, 0.5f, std::log(4.f)}});
  EXPECT_FLOAT_EQ(reg[0][1], 1.f);
  // NMS: [0, 0.5] (0.9) suppresses [0.1, 0.5] (IoU 0.8) but not [0.4, 1] (IoU 1/10).
  auto kept = ssn_temporal_nms(
      {{0.1f, 0.5f, 0.5f, 0, 0}, {0.f, 0.5f, 0.9f, 0, 0}, {0.4f, 1.f, 0.7f, 0, 0}}, 0.2);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_FLOAT_EQ(kept[0][2], 0.9f);
  EXPECT_FLOAT_EQ(kept[1][2], 0.7f);
}

TEST(SSNEvaluation, AveragePrecisionByHand) {
  SSNClassGroundTruth gt{{"a", {{0.0, 0.5}}}, {"b", {{0.2, 0.4}}}};
  // Best first: a hit on a, a duplicate on a (false), a miss on an unknown video, a hit on b.
  std::vector<SSNPlainDetection> pred{
      {"a", 0.0, 0.5, 0.9}, {"a", 0.0, 0.5, 0.8}, {"c", 0.0, 0.5, 0.7}, {"b", 0.2, 0.4, 0.6}};
  // precision 1, 1/2, 1/3, 1/2; recall 1/2, 1/2, 1/2, 1: AP = 0.5 * 1 + 0.5 * 0.5.
  auto ap = ssn_average_precision_at_temporal_iou(gt, pred, {0.5});
  EXPECT_FLOAT_EQ(ap[0], 0.75f);
  EXPECT_FLOAT_EQ(ssn_average_precision_at_temporal_iou(gt, {}, {0.5})[0], 0.f);
}

TEST(SSNEvaluation, BadInputsAreClearErrors) {
  const json f = eval_fixture();
  Inputs in = inputs_of(f);
  in.videos.pop_back();
  EXPECT_THROW(ssn_evaluate_map(in.results, in.videos), std::invalid_argument);
  Inputs bad = inputs_of(f);
  bad.results[1].completeness_scores = torch::zeros({30, 2});
  try {
    ssn_evaluate_map(bad.results, bad.videos);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("video_1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tubelet::ssn_eval_test
