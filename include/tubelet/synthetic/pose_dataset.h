// A synthetic skeleton dataset in MMAction2's PoseDataset format: one stick figure per clip,
// as COCO's 17 keypoints in pixels with detector-like scores, whose class is its motion
// (walking right or left, sitting down, standing up, raising or lowering the arms, waving,
// jumping). Within each order-dependent pair one class is the other played backwards (same
// sampled parameters, time reversed), so only a model that sees order tells them apart.
// Everything is a pure function of (seed, clip index).
#pragma once

#include <torch/arg.h>
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tubelet::synthetic {

// Class names in label order (label_map.txt).
const std::vector<std::string>& pose_class_names();

// One clip as PoseDataset hands it to the pipeline: keypoint [1, frames, 17, 2] (x, y in
// pixels of a size x size image) and keypoint_score [1, frames, 17], both float32.
struct PoseClip {
  int label = 0;
  torch::Tensor keypoint, keypoint_score;
};

// The clip of index `index` with label `label`; the two labels of a pair draw the same
// parameters from the same (seed, index) and differ only in the direction of time.
PoseClip sample_pose_clip(int label, uint64_t seed, int64_t index, int size = 480, int frames = 32);

struct PoseDatasetOptions {
  TORCH_ARG(int64_t, videos) = 300;
  TORCH_ARG(uint64_t, seed) = 0;
  // The image the keypoints live in is size x size pixels.
  TORCH_ARG(int, size) = 480;
  TORCH_ARG(int, frames) = 32;
  // Fraction of each class's clips in val.pkl (at least one each).
  TORCH_ARG(double, val_ratio) = 0.2;
  // Called after each clip with (done, total).
  TORCH_ARG(std::function<void(int64_t, int64_t)>, progress);

 public:
  // The clip of this index: label index % classes; the last clips of each class go to val.
  int label_of(int64_t index) const;
  bool is_val(int64_t index) const;
};

struct PoseDatasetSummary {
  int64_t train_videos = 0, val_videos = 0;
};

// Writes OUT/train.pkl and OUT/val.pkl (pickled lists of dicts as MMAction2's PoseDataset reads
// them: frame_dir 'pose_00000', label, img_shape, original_shape, total_frames, and numpy
// float32 keypoint / keypoint_score arrays) and OUT/label_map.txt, each file atomically.
PoseDatasetSummary make_pose_dataset(const std::filesystem::path& out,
                                     const PoseDatasetOptions& options);

}  // namespace tubelet::synthetic
