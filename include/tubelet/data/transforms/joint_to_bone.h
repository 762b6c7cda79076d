// JointToBone (MMAction2 0.24.1, pipelines/formatting.py): keypoint (M x T x V x C, C 2 or 3)
// becomes float32 bones: joint v1 minus its parent v2 for each (v1, v2) pair of the layout
// ('nturgb+d': 25 joints, 'openpose-18', 'coco': 17); with C == 3 on openpose-18 and coco the
// third channel is the mean of the two joints' scores instead. Joints no pair names are 0.
// Arithmetic is in the keypoint's dtype, then rounded to float32, as numpy does.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class JointToBone : public Transform {
 public:
  explicit JointToBone(std::string dataset);
  void apply(Sample& sample) override;
  std::string type() const override { return "JointToBone"; }
  const std::vector<std::pair<int64_t, int64_t>>& pairs() const { return pairs_; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  std::string dataset_;
  std::vector<std::pair<int64_t, int64_t>> pairs_;
};

}  // namespace tubelet
