// PoseDataset (MMAction2 0.24.1, datasets/pose_dataset.py): skeleton annotations in a .pkl
// (what mmcv.dump writes: a list of dicts with frame_dir, label, total_frames, img_shape,
// keypoint, keypoint_score, ...; or, with `split`, a dict of 'split' (name -> list of
// frame_dir/filename) and 'annotations'). numpy arrays of a record become the sample's tensors
// (float16/32/64 as stored; a 'label' array becomes a list), its other values the info with
// their Python types. start_index is 0 and modality 'Pose' (fixed, as in MMAction2).
// valid_ratio keeps the videos with valid_frames (or valid@box_thr) / total_frames >=
// valid_ratio; box_thr other than '0.5' also sets anno_inds (the boxes whose box_score >=
// box_thr). class_prob overrides the sampling probabilities of sample_by_class. Evaluation is
// BaseDataset's (top_k_accuracy, mean_class_accuracy, ...).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tubelet/data/datasets/base_dataset.h"

namespace tubelet {

struct PoseDatasetOptions {
  std::optional<std::string> split;
  std::optional<double> valid_ratio;
  std::optional<std::string> box_thr;  // '0.5', '0.6', '0.7', '0.8' or '0.9'
  std::optional<Dict> class_prob;
};

class PoseDataset : public BaseDataset {
 public:
  PoseDataset(BaseDatasetOptions base, PoseDatasetOptions options);
  static std::shared_ptr<Dataset> from_config(Args& args);

  const PoseDatasetOptions& pose_options() const { return pose_; }
  // The arrays of video `index` (keypoint, keypoint_score, anno_inds, ...), in record order.
  const std::vector<std::pair<std::string, torch::Tensor>>& arrays(int64_t index) const;

 protected:
  std::vector<Dict> load_annotations() const override;
  Sample prepare(int64_t index) const override;
  std::string type_name() const override { return "PoseDataset"; }

 private:
  void threshold();

  PoseDatasetOptions pose_;
  // Filled by load_annotations beside the infos it returns (kept in step when filtering).
  mutable std::vector<std::vector<std::pair<std::string, torch::Tensor>>> arrays_;
};

}  // namespace tubelet
