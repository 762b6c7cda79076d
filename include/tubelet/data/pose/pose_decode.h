// PoseDecode (MMAction2 0.24.1, pipelines/pose_loading.py): keeps the frames frame_inds (plus
// `offset`) of the "keypoint" (M x T x V x C) and "keypoint_score" (M x T x V) tensors, as
// float32. Without frame_inds every frame is kept (and frame_inds set to 0 .. total_frames-1);
// frame_inds may be an info list (nested lists are squeezed, as np.squeeze) or a tensor.
// Negative indices count from the end, as numpy's; others past the end are an error.
#pragma once

#include <memory>
#include <string>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class PoseDecode : public Transform {
 public:
  void apply(Sample& sample) override;
  std::string type() const override { return "PoseDecode"; }
  static std::shared_ptr<Transform> from_config(Args& args);
};

}  // namespace tubelet
