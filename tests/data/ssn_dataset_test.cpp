// The deterministic parts of SSNDataset against MMAction2 0.24.1: the generated proposal file
// tests/fixtures/ssn/proposals.txt and what load_annotations, construct_proposal_pools and
// _compute_reg_normalize_constants make of it (dataset.json; tools/fixtures/make_ssn_fixtures.py).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/paths.h"
#include "tubelet/data/datasets/ssn_dataset.h"
#include "tubelet/data/sampling/sample_proposal_frames.h"

namespace tubelet::ssn_dataset_test {
namespace {

using nlohmann::json;

std::string fixture_path(const std::string& name) {
  return (test::source_dir() / "tests/fixtures/ssn" / name).string();
}

json dataset_fixture() {
  return json::parse(test::read_text(fixture_path("dataset.json")));
}

void expect_instance(const SSNInstance& ours, const json& ref, const std::string& what) {
  EXPECT_EQ(ours.start_frame, ref[0].get<int64_t>()) << what;
  EXPECT_EQ(ours.end_frame, ref[1].get<int64_t>()) << what;
  EXPECT_EQ(ours.num_video_frames, ref[2].get<int64_t>()) << what;
  EXPECT_EQ(ours.label, ref[3].get<int64_t>()) << what;
  EXPECT_DOUBLE_EQ(ours.coverage, ref[4].get<double>()) << what;
  EXPECT_DOUBLE_EQ(ours.best_iou, ref[5].get<double>()) << what;
  EXPECT_DOUBLE_EQ(ours.overlap_self, ref[6].get<double>()) << what;
  EXPECT_DOUBLE_EQ(ours.regression_targets[0], ref[7][0].get<double>()) << what;
  EXPECT_DOUBLE_EQ(ours.regression_targets[1], ref[7][1].get<double>()) << what;
}

TEST(SSNDataset, ProposalFileParsesAsMmaction2) {
  const json f = dataset_fixture();
  auto videos = load_ssn_proposal_file(fixture_path("proposals.txt"), "frames");
  ASSERT_EQ(videos.size(), f["videos"].size());
  for (size_t v = 0; v < videos.size(); ++v) {
    const json& ref = f["videos"][v];
    EXPECT_EQ(videos[v].video_id, ref["video_id"].get<std::string>());
    EXPECT_EQ(videos[v].frame_dir, ref["frame_dir"].get<std::string>());
    EXPECT_EQ(videos[v].total_frames, ref["total_frames"].get<int64_t>());
    ASSERT_EQ(videos[v].gts.size(), ref["gts"].size()) << videos[v].video_id;
    for (size_t i = 0; i < videos[v].gts.size(); ++i)
      expect_instance(videos[v].gts[i], ref["gts"][i], videos[v].video_id + " gt");
    ASSERT_EQ(videos[v].proposals.size(), ref["proposals"].size()) << videos[v].video_id;
    for (size_t i = 0; i < videos[v].proposals.size(); ++i)
      expect_instance(videos[v].proposals[i], ref["proposals"][i],
                      videos[v].video_id + " proposal " + std::to_string(i));
  }
}

TEST(SSNDataset, PoolsAndNormalizeConstantsMatchMmaction2) {
  const json f = dataset_fixture();
  auto videos = ssn_filter_videos(load_ssn_proposal_file(fixture_path("proposals.txt"), "frames"),
                                  /*filter_gt=*/true, /*test_mode=*/false);
  ASSERT_EQ(videos.size(), f["valid_videos"].size());
  for (size_t i = 0; i < videos.size(); ++i)
    EXPECT_EQ(videos[i].video_id, f["valid_videos"][i].get<std::string>());
  const json& a = f["assigner"];
  std::vector<std::pair<std::string, SSNInstance>> positives, incompletes, backgrounds;
  for (const auto& v : videos) {
    for (auto& p : ssn_get_positives(v.gts, v.proposals, a["positive_iou_threshold"], true))
      positives.emplace_back(v.video_id, p);
    auto neg =
        ssn_get_negatives(v.proposals, a["incomplete_iou_threshold"], a["background_iou_threshold"],
                          a["background_coverage_threshold"], a["incomplete_overlap_threshold"]);
    for (auto& p : neg.incompletes) incompletes.emplace_back(v.video_id, p);
    for (auto& p : neg.backgrounds) backgrounds.emplace_back(v.video_id, p);
  }
  auto compare = [](const auto& ours, const json& ref, const std::string& pool) {
    ASSERT_EQ(ours.size(), ref.size()) << pool;
    for (size_t i = 0; i < ours.size(); ++i) {
      EXPECT_EQ(ours[i].first, ref[i][0].get<std::string>()) << pool << " " << i;
      expect_instance(ours[i].second, ref[i][1], pool + " " + std::to_string(i));
    }
  };
  compare(positives, f["positive_pool"], "positive");
  compare(incompletes, f["incomplete_pool"], "incomplete");
  compare(backgrounds, f["background_pool"], "background");
  auto consts = ssn_reg_normalize_constants(videos, a["positive_iou_threshold"]);
  for (size_t i = 0; i < 2; ++i)
    for (size_t k = 0; k < 2; ++k)
      EXPECT_NEAR(consts[i][k], f["reg_norm_consts"][i][k].get<double>(),
                  1e-12 * std::abs(f["reg_norm_consts"][i][k].get<double>()))
          << i << "," << k;
}

TEST(SSNDataset, InstanceAndRegressionTargetsByHand) {
  // The end is clipped to the video, the coverage is not.
  SSNInstance clipped(90, 130, 100, 2, 0.5, 0.25);
  EXPECT_EQ(clipped.end_frame, 100);
  EXPECT_DOUBLE_EQ(clipped.coverage, 0.4);
  EXPECT_EQ(SSNInstance(0, 10, 100).label, -1);
  // Proposal [10, 30), best gt [20, 60): centers 19.5 and 39.5, sizes 20 and 40.
  SSNInstance p(10, 30, 100, 1, 0.3);
  p.compute_regression_targets({SSNInstance(80, 90, 100, 1), SSNInstance(20, 60, 100, 1)});
  EXPECT_DOUBLE_EQ(p.regression_targets[0], 1.0);
  EXPECT_DOUBLE_EQ(p.regression_targets[1], std::log(2.0));
  EXPECT_THROW(p.compute_regression_targets({}), std::invalid_argument);
  // ground_truth_of feeds the evaluation.
  SSNVideoInfo v;
  v.video_id = "v";
  v.total_frames = 100;
  v.gts.push_back(SSNInstance(20, 60, 100, 3));
  SSNVideoGroundTruth g = ssn_ground_truth_of(v);
  ASSERT_EQ(g.gts.size(), 1u);
  EXPECT_EQ(g.gts[0].label, 3);
  EXPECT_DOUBLE_EQ(g.gts[0].end_frame, 60);
}

TEST(SSNDataset, MalformedFilesAreClearErrors) {
  const std::string path = ::testing::TempDir() + "/ssn_bad_proposals.txt";
  auto expect_error = [&](const std::string& text, const std::string& needle) {
    std::ofstream(path) << text;
    try {
      load_ssn_proposal_file(path);
      ADD_FAILURE() << "parsed: " << text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error("# 0\nvid_a\n100\n1\n2\n1 0 10\n", "vid_a");
  expect_error("# 0\nvid_b\n100\n1\nx\n", "num_gts");
  expect_error("# 0\nvid_c\n100\n1\n0\n1\n1 0.5 0.5 3\n", "proposal line");
  EXPECT_THROW(load_ssn_proposal_file(path + ".missing"), std::runtime_error);
  EXPECT_THROW(ssn_filter_videos({}, /*filter_gt=*/false, /*test_mode=*/true),
               std::invalid_argument);
}

json sampling_fixture() {
  return json::parse(test::read_text(fixture_path("sampling.json")));
}

TEST(SSNSampleProposalFrames, ValAndTestIndicesMatchMmaction2) {
  const json f = sampling_fixture();
  std::mt19937_64 rng(0);
  for (const auto& c : f["val"]) {
    SampleProposalFramesOptions o;
    o.mode = "val";
    o.clip_len = c["clip_len"];
    o.frame_interval = c["frame_interval"];
    o.aug_ratio = {c["aug_ratio"][0].get<double>(), c["aug_ratio"][1].get<double>()};
    auto offsets = ssn_proposal_clip_offsets(o, c["start"], c["end"], c["num_frames"], rng);
    EXPECT_EQ(offsets, c["offsets"].get<std::vector<int64_t>>()) << c.dump();
    EXPECT_EQ(ssn_frame_inds(o, offsets, c["num_frames"], 1),
              c["frame_inds"].get<std::vector<int64_t>>())
        << c.dump();
  }
  for (const auto& c : f["test"]) {
    SampleProposalFramesOptions o;
    o.mode = "test";
    o.clip_len = c["clip_len"];
    o.frame_interval = c["frame_interval"];
    o.test_interval = c["test_interval"];
    auto offsets = ssn_test_clip_offsets(o, c["num_frames"]);
    EXPECT_EQ(ssn_frame_inds(o, offsets, c["num_frames"], 0),
              c["frame_inds"].get<std::vector<int64_t>>())
        << c.dump();
  }
}

TEST(SSNSampleProposalFrames, TrainOffsetsStayInTheirSegments) {
  std::mt19937_64 rng(5);
  // valid_length 19, 5 segments: avg 4, segment k in [4k, 4k + 4).
  for (int rep = 0; rep < 50; ++rep) {
    auto off = ssn_train_segment_offsets(19, 5, rng);
    ASSERT_EQ(off.size(), 5u);
    for (int64_t k = 0; k < 5; ++k) {
      EXPECT_GE(off[k], 4 * k);
      EXPECT_LT(off[k], 4 * k + 4);
    }
  }
  EXPECT_EQ(ssn_train_segment_offsets(2, 5, rng), std::vector<int64_t>(5, 0));
  EXPECT_EQ(ssn_train_segment_offsets(-7, 2, rng), std::vector<int64_t>(2, 0));
  // A proposal's train clips: starting ones before the start, course inside, ending after.
  SampleProposalFramesOptions o;
  for (int rep = 0; rep < 20; ++rep) {
    auto clips = ssn_proposal_clip_offsets(o, 100, 150, 400, rng);
    ASSERT_EQ(clips.size(), 9u);
    for (size_t i = 0; i < 2; ++i) EXPECT_TRUE(clips[i] >= 75 && clips[i] < 100) << clips[i];
    for (size_t i = 2; i < 7; ++i) EXPECT_TRUE(clips[i] >= 100 && clips[i] < 150) << clips[i];
    for (size_t i = 7; i < 9; ++i) EXPECT_TRUE(clips[i] >= 150 && clips[i] < 175) << clips[i];
  }
  EXPECT_THROW(ssn_proposal_clip_offsets(o, 10, 10, 100, rng), std::invalid_argument);
  o.mode = "test";
  EXPECT_THROW(ssn_proposal_clip_offsets(o, 10, 20, 100, rng), std::invalid_argument);
  EXPECT_THROW(ssn_train_segment_offsets(10, 0, rng), std::invalid_argument);
}

}  // namespace
}  // namespace tubelet::ssn_dataset_test
