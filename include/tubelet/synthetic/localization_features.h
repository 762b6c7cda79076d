// A synthetic temporal action localization set in MMAction2's ActivityNet feature layout: one
// CSV of snippet features per video (header f0,f1,..., then one row per temporal position, as
// csv_mean_100 has them) and ActivityNet-style annotation JSONs. Inside an action segment each
// snippet carries its class's pattern, weighted by how much of the snippet the segment covers,
// over Gaussian noise: boundaries are visible, so BMN and BSN can learn them in a few
// iterations. Everything is a pure function of (seed, video index).
#pragma once

#include <torch/arg.h>
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tubelet::synthetic {

struct LocalizationFeaturesOptions {
  TORCH_ARG(int64_t, videos) = 40;
  TORCH_ARG(int64_t, feat_dim) = 16;
  // Rows of each feature CSV (the localizers' temporal_dim).
  TORCH_ARG(int64_t, temporal_scale) = 32;
  TORCH_ARG(int64_t, classes) = 4;
  TORCH_ARG(uint64_t, seed) = 0;
  // Standard deviation of the noise; class patterns have entries of +-1.
  TORCH_ARG(double, noise) = 0.5;
  // Fractions of the videos in anet_anno_val.json and anet_anno_test.json (the rest: train).
  TORCH_ARG(double, val_ratio) = 0.2;
  TORCH_ARG(double, test_ratio) = 0.2;
};

struct LocalizationSegment {
  double start = 0, end = 0;  // seconds
  int64_t label = 0;
};

// One video's annotation entry.
struct LocalizationVideo {
  std::string name;  // v_00000, ...
  int64_t duration_frame = 0;
  int64_t feature_frame = 0;  // frames the features cover (whole 16-frame snippets)
  double fps = 25;
  double duration_second = 0;
  std::vector<LocalizationSegment> segments;  // 1 to 3, disjoint, in time order
};

// "action_0", ...: the annotations' labels.
std::string localization_class_name(int64_t label);

LocalizationVideo sample_localization_video(int64_t index, const LocalizationFeaturesOptions& o);

// [temporal_scale, feat_dim] float32: the features of `video`.
torch::Tensor render_localization_features(const LocalizationVideo& video, int64_t index,
                                           const LocalizationFeaturesOptions& o);

// "train", "val" or "test": the last videos of the set are test, those before them val.
std::string localization_split(int64_t index, const LocalizationFeaturesOptions& o);

struct LocalizationFeaturesSummary {
  int64_t train = 0, val = 0, test = 0, segments = 0;
};

// Writes OUT/features/<video>.csv and OUT/anet_anno_{train,val,test,full}.json (full: every
// video, for running the TEM over all of them as MMAction2's BSN config does).
LocalizationFeaturesSummary make_localization_features(const std::filesystem::path& out,
                                                       const LocalizationFeaturesOptions& o);

}  // namespace tubelet::synthetic
