// soft_nms and the proposal post-processing on hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>

#include "support/paths.h"
#include "tubelet/localization/proposal_post_processing.h"
#include "tubelet/localization/temporal_overlap.h"

namespace tubelet::proposal_post_processing_test {
namespace {

Dict info(double frames, double seconds) {
  Dict d;
  d.set("video_name", Value("v"));
  d.set("duration_frame", Value(frames));
  d.set("duration_second", Value(seconds));
  return d;
}

TEST(TemporalOverlap, HandComputed) {
  EXPECT_DOUBLE_EQ(temporal_iou(0.0, 0.5, 0.1, 0.5), 0.8);
  EXPECT_DOUBLE_EQ(temporal_iou(0.0, 0.5, 0.6, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(temporal_iop(0.0, 0.5, 0.25, 1.0), 0.5);
}

TEST(SoftNms, DecaysOverlapsAboveTheWidthThreshold) {
  std::vector<ScoredSegment<double>> p = {{0.1, 0.5, 0.8}, {0.6, 1.0, 0.7}, {0.0, 0.5, 0.9}};
  SoftNmsOptions o;  // alpha 0.4, thresholds 0.5 / 0.9
  auto kept = soft_nms(p, o);
  ASSERT_EQ(kept.size(), 3u);
  // A = [0, 0.5] first; B overlaps it by IoU 0.8 > 0.5 + 0.4 * 0.5: 0.8 * exp(-0.64 / 0.4).
  EXPECT_DOUBLE_EQ(kept[0].score, 0.9);
  EXPECT_DOUBLE_EQ(kept[1].score, 0.7);
  EXPECT_NEAR(kept[2].score, 0.8 * std::exp(-1.6), 1e-15);
  EXPECT_DOUBLE_EQ(kept[2].start, 0.1);
  o.top_k = 1;  // MMAction2 stops after top_k + 1
  EXPECT_EQ(soft_nms(p, o).size(), 2u);
}

TEST(ProposalPostProcessing, SecondsTopKAndClipping) {
  std::vector<ScoredSegment<double>> p = {{0.1, 0.5, 0.8}, {0.6, 1.0, 0.7}, {0.0, 0.5, 0.9}};
  ProposalPostProcessOptions o;
  // 100 frames with features every 16: 96 frames of 10 s are covered, 9.6 s.
  EXPECT_DOUBLE_EQ(feature_covered_seconds(info(100, 10), 16), 9.6);
  List out = post_process_proposals(p, info(100, 10), o);
  ASSERT_EQ(out.size(), 3u);
  auto segment = [&](size_t i, int k) {
    return out[i].as_dict().at("segment").as_list()[k].as_float();
  };
  EXPECT_DOUBLE_EQ(segment(0, 1), 0.5 * 9.6);
  EXPECT_DOUBLE_EQ(segment(1, 0), 0.6 * 9.6);
  EXPECT_DOUBLE_EQ(segment(2, 0), 0.1 * 9.6);
  o.soft_nms.top_k = 1;
  EXPECT_EQ(post_process_proposals(p, info(100, 10), o).size(), 1u);
  // One proposal skips soft-NMS; its segment is clipped to [0, 1] of the covered span.
  List one = post_process_proposals<float>({{-0.1f, 1.2f, 0.5f}}, info(96, 9.6), o);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].as_dict().at("segment").as_list()[0].as_float(), 0.0);
  EXPECT_DOUBLE_EQ(one[0].as_dict().at("segment").as_list()[1].as_float(), 9.6);
  Dict missing;
  missing.set("video_name", Value("v_x"));
  std::string e = test::error_of([&] { post_process_proposals(p, missing, o); });
  EXPECT_NE(e.find("duration_frame"), std::string::npos) << e;
  EXPECT_NE(e.find("v_x"), std::string::npos) << e;
}

}  // namespace
}  // namespace tubelet::proposal_post_processing_test
