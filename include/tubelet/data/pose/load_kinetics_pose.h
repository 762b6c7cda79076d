// LoadKineticsPose (MMAction2 0.24.1, pipelines/pose_loading.py): reads the per-video pickle
// `filename` (a numpy array of num_boxes x V x 3: x, y, score) and spreads its boxes over the
// frames frame_inds gives them (anno_inds, when present, keeps a subset first). squeeze
// renumbers the frames that have boxes 0, 1, ... (total_frames becomes their number).
// openpose-18 coordinates are scaled by img_shape. Writes float16 "keypoint"
// (num_person x T x V x 2) and "keypoint_score" (num_person x T x V), and num_person; with
// more persons than max_person, each frame's persons are ranked by their weighted score sums
// (face/torso/limb joints, numpy's float16 arithmetic) and the first max_person kept.
// Removes filename, frame_inds, anno_inds and box_score, as MMAction2 pops them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

struct LoadKineticsPoseOptions {
  std::string io_backend = "disk";
  bool squeeze = true;
  int64_t max_person = 100;
  double face_weight = 1, torso_weight = 2, limb_weight = 3;  // keypoint_weight
  std::string source = "mmpose";                              // or "openpose-18"
};

class LoadKineticsPose : public Transform {
 public:
  explicit LoadKineticsPose(LoadKineticsPoseOptions options);
  void apply(Sample& sample) override;
  std::string type() const override { return "LoadKineticsPose"; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  LoadKineticsPoseOptions options_;
  std::vector<int64_t> face_, torso_, limb_;  // kpsubset
};

}  // namespace tubelet
