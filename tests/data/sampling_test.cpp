// Frame samplers: MMAction2's own SampleFrames/DenseSampleFrames/UntrimmedSampleFrames outputs
// (tests/fixtures/data/sampling.json, every case without a random draw), the golden pipelines'
// frame_inds, hand-computed cases, and the ranges of the random (train-mode) choices.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "support/paths.h"
#include "tubelet/args_convert.h"
#include "tubelet/config/dump.h"
#include "tubelet/data/sampling/sample_frames.h"
#include "tubelet/data/transform.h"

namespace tubelet::sampling_test {
namespace {

std::shared_ptr<Transform> build(const std::string& json) {
  return PIPELINES().build(from_json(json, "<test>"), BuildContext("pipeline[0]"));
}

Sample frames_sample(int64_t total, int64_t start, uint64_t seed = 0) {
  Sample s;
  s.info.set("total_frames", Value(total));
  s.info.set("start_index", Value(start));
  s.rng.seed(seed);
  return s;
}

std::vector<int64_t> inds(const Sample& s) {
  std::vector<int64_t> out;
  for (const Value& v : s.info.at("frame_inds").as_list()) {
    EXPECT_TRUE(v.is_int());
    out.push_back(v.as_int());
  }
  return out;
}

std::vector<int64_t> sample(const std::string& cfg, int64_t total, int64_t start,
                            uint64_t seed = 0) {
  Sample s = frames_sample(total, start, seed);
  build(cfg)->apply(s);
  return inds(s);
}

TEST(SampleFrames, MatchesMmaction2Fixture) {
  auto file = test::source_dir() / "tests/fixtures/data/sampling.json";
  Value fixture = from_json(test::read_text(file), file.string());
  int checked = 0;
  for (const Value& c : fixture.as_dict().at("cases").as_list()) {
    const Dict& d = c.as_dict();
    auto transform = PIPELINES().build(d.at("cfg"), BuildContext("case"));
    Sample s = frames_sample(d.at("total_frames").as_int(), d.at("start_index").as_int());
    transform->apply(s);
    std::vector<int64_t> expected;
    for (const Value& v : d.at("frame_inds").as_list()) expected.push_back(v.as_int());
    const std::string what = repr(d.at("cfg")) + " total_frames=" + repr(d.at("total_frames"));
    EXPECT_EQ(inds(s), expected) << what;
    for (const char* key : {"clip_len", "frame_interval", "num_clips"})
      EXPECT_EQ(s.info.at(key), d.at(key)) << what << " " << key;
    ++checked;
  }
  EXPECT_GT(checked, 400);
}

TEST(SampleFrames, RandomChoicesCoverMmaction2sRange) {
  // Train mode draws from sample.rng, not numpy's stream: over many seeds each position of
  // frame_inds must span exactly the range MMAction2's draws spanned over 3000 seeds.
  auto file = test::source_dir() / "tests/fixtures/data/sampling.json";
  Value fixture = from_json(test::read_text(file), file.string());
  for (const Value& c : fixture.as_dict().at("random_cases").as_list()) {
    const Dict& d = c.as_dict();
    auto transform = PIPELINES().build(d.at("cfg"), BuildContext("case"));
    std::vector<int64_t> low, high;
    for (uint64_t seed = 0; seed < 3000; ++seed) {
      Sample s = frames_sample(d.at("total_frames").as_int(), d.at("start_index").as_int(), seed);
      transform->apply(s);
      std::vector<int64_t> f = inds(s);
      if (low.empty()) low = high = f;
      ASSERT_EQ(f.size(), low.size());
      for (size_t i = 0; i < f.size(); ++i) {
        low[i] = std::min(low[i], f[i]);
        high[i] = std::max(high[i], f[i]);
      }
    }
    EXPECT_EQ(low, ArgConverter<std::vector<int64_t>>::from(d.at("low")).value())
        << repr(d.at("cfg"));
    EXPECT_EQ(high, ArgConverter<std::vector<int64_t>>::from(d.at("high")).value())
        << repr(d.at("cfg"));
  }
}

TEST(SampleFramesGolden, TestModePipelines) {
  TUBELET_REQUIRE_SHARED();
  for (const char* name : {"raw_tencrop__imgs_tf5.json", "tsn_center25__demo.mp4.json"}) {
    auto file = test::shared_dir() / "golden/pipeline" / name;
    Value golden = test::decode_golden(from_json(test::read_text(file), file.string()));
    const Dict& g = golden.as_dict();
    for (const Value& step : g.at("pipeline").as_list()) {
      if (step.as_dict().at("type").as_str() != "SampleFrames") continue;
      Sample s = frames_sample(g.at("total_frames").as_int(),
                               g.at("initial_results").as_dict().at("start_index").as_int());
      PIPELINES().build(step, BuildContext(name))->apply(s);
      std::vector<int64_t> expected;
      for (const Value& v : g.at("frame_inds").as_list()) expected.push_back(v.as_int());
      EXPECT_EQ(inds(s), expected) << name;
      EXPECT_EQ(s.info.at("num_clips"), g.at("num_clips_in_results")) << name;
      EXPECT_EQ(s.info.at("clip_len"), g.at("clip_len_in_results")) << name;
    }
  }
}

TEST(SampleFrames, HandComputedTestMode) {
  // avg_interval 5: centred offsets trunc(2.5)=2, trunc(7.5)=7, then the unshifted 0 and 5.
  EXPECT_EQ(sample(R"({"type": "SampleFrames", "clip_len": 1, "num_clips": 2,
                       "twice_sample": true, "test_mode": true})",
                   10, 0),
            (std::vector<int64_t>{2, 7, 0, 5}));
  // A clip longer than the video: offset 0, indices 0 2 4 6; repeat_last repeats 4, loop wraps.
  EXPECT_EQ(sample(R"({"type": "SampleFrames", "clip_len": 4, "frame_interval": 2,
                       "out_of_bound_opt": "repeat_last", "test_mode": true})",
                   5, 1),
            (std::vector<int64_t>{1, 3, 5, 5}));
  EXPECT_EQ(sample(R"({"type": "SampleFrames", "clip_len": 4, "frame_interval": 2,
                       "test_mode": true})",
                   5, 1),
            (std::vector<int64_t>{1, 3, 5, 2}));
  // Train mode with fewer frames than clips: np.around(i * 5/8) rounds 2.5 to 2 (half to even).
  EXPECT_EQ(sample(R"({"type": "SampleFrames", "clip_len": 1, "num_clips": 8})", 5, 0),
            (std::vector<int64_t>{0, 1, 1, 2, 2, 3, 4, 4}));
}

TEST(SampleFrames, TrainModeDrawsWithinEachSegment) {
  const std::string cfg = R"({"type": "SampleFrames", "clip_len": 2, "num_clips": 4})";
  std::set<int64_t> first;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    std::vector<int64_t> f = sample(cfg, 101, 0, seed);  // avg_interval (101-2+1)//4 = 25
    ASSERT_EQ(f.size(), 8u);
    for (int64_t c = 0; c < 4; ++c) {
      EXPECT_GE(f[2 * c], 25 * c);
      EXPECT_LT(f[2 * c], 25 * c + 25);
      EXPECT_EQ(f[2 * c + 1], f[2 * c] + 1);
    }
    first.insert(f[0]);
  }
  EXPECT_EQ(first.size(), 25u);  // every offset of the first segment occurs
  EXPECT_EQ(sample(cfg, 101, 0, 7), sample(cfg, 101, 0, 7));
}

TEST(SampleFrames, TrainModeSortedDrawsWhenSegmentsAreEmpty) {
  // avg_interval (6-4+1)//4 = 0 but 6 > max(4, 4): sorted offsets drawn from [0, 3).
  const std::string cfg = R"({"type": "SampleFrames", "clip_len": 4, "num_clips": 4})";
  std::set<int64_t> seen;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    std::vector<int64_t> f = sample(cfg, 6, 0, seed);
    for (int64_t c = 0; c < 4; ++c) {
      EXPECT_LT(f[4 * c], 3);
      if (c) {
        EXPECT_LE(f[4 * (c - 1)], f[4 * c]);
      }
      seen.insert(f[4 * c]);
    }
  }
  EXPECT_EQ(seen, (std::set<int64_t>{0, 1, 2}));
}

TEST(SampleFrames, KeepTailFramesAndJitter) {
  // avg_interval (20-4+1)/2 = 8.5: offsets trunc(i*8.5 + U(0, 8.5)).
  const std::string tail =
      R"({"type": "SampleFrames", "clip_len": 4, "num_clips": 2, "keep_tail_frames": true})";
  for (uint64_t seed = 0; seed < 100; ++seed) {
    std::vector<int64_t> f = sample(tail, 20, 0, seed);
    EXPECT_LE(f[0], 8);
    EXPECT_GE(f[4], 8);
    EXPECT_LE(f[4], 16);
  }
  const std::string jitter = R"({"type": "SampleFrames", "clip_len": 4, "frame_interval": 4,
                                 "temporal_jitter": true, "test_mode": true})";
  std::set<int64_t> shifts;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    std::vector<int64_t> f = sample(jitter, 100, 0, seed);  // offset trunc(42.5) = 42
    for (int64_t j = 0; j < 4; ++j) {
      EXPECT_GE(f[j], 42 + 4 * j);
      EXPECT_LT(f[j], 46 + 4 * j);
      shifts.insert(f[j] - 42 - 4 * j);
    }
  }
  EXPECT_EQ(shifts.size(), 4u);
}

TEST(DenseSampleFrames, TrainModeWindow) {
  // 100 frames, sample_range 64: 37 start positions, of which randint(0, 36) draws 0..35.
  const std::string cfg =
      R"({"type": "DenseSampleFrames", "clip_len": 2, "frame_interval": 2, "num_clips": 2})";
  std::set<int64_t> starts;
  for (uint64_t seed = 0; seed < 500; ++seed) {
    std::vector<int64_t> f = sample(cfg, 100, 0, seed);
    ASSERT_EQ(f.size(), 4u);
    EXPECT_EQ(f[2], f[0] + 32);  // clips sample_range // num_clips apart
    EXPECT_EQ(f[1], f[0] + 2);
    starts.insert(f[0]);
  }
  EXPECT_EQ(*starts.begin(), 0);
  EXPECT_EQ(*starts.rbegin(), 35);
}

TEST(UntrimmedSampleFrames, CentredClipsClamped) {
  // Centres 2, 6 (interval 4, 8 frames); clip_len 3 covers centre-1..centre+1, clamped to 7.
  Sample s = frames_sample(8, 1);
  build(R"({"type": "UntrimmedSampleFrames", "clip_len": 3, "frame_interval": 4})")->apply(s);
  EXPECT_EQ(inds(s), (std::vector<int64_t>{2, 3, 4, 6, 7, 8}));
  EXPECT_EQ(s.info.at("num_clips").as_int(), 2);
}

TEST(Samplers, Errors) {
  auto err = [](const std::string& cfg, int64_t total = 10) {
    return test::error_of([&] { sample(cfg, total, 0); });
  };
  EXPECT_NE(err(R"({"type": "SampleFrames", "clip_len": 1, "out_of_bound_opt": "wrap"})")
                .find("out_of_bound_opt"),
            std::string::npos);
  EXPECT_NE(err(R"({"type": "SampleFrames"})").find("clip_len"), std::string::npos);
  EXPECT_NE(err(R"({"type": "SampleFrames", "clip_len": 1, "frame_uniform": true})")
                .find("frame_uniform"),
            std::string::npos);
  EXPECT_NE(err(R"({"type": "SampleFrames", "clip_len": 1})", 0).find("total_frames"),
            std::string::npos);
  EXPECT_NE(
      err(R"({"type": "UntrimmedSampleFrames", "frame_interval": 16})", 8).find("no clip centre"),
      std::string::npos);
  Sample no_total;
  no_total.info.set("start_index", Value(0));
  EXPECT_NE(test::error_of([&] {
              build(R"({"type": "SampleFrames", "clip_len": 1})")->apply(no_total);
            }).find("'total_frames'"),
            std::string::npos);
  // The deprecated start_index is accepted (with a warning) and ignored.
  EXPECT_EQ(sample(R"({"type": "SampleFrames", "clip_len": 1, "start_index": 5,
                       "test_mode": true})",
                   10, 0),
            (std::vector<int64_t>{5}));
}

}  // namespace
}  // namespace tubelet::sampling_test
