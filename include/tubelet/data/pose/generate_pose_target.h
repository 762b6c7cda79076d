// MMAction2's GeneratePoseTarget(sigma=0.6, use_score=True, with_kp=True, with_limb=False,
// skeletons=<COCO-17 limbs>, double=False, left_kp=(1, 3, ..., 15), right_kp=(2, 4, ..., 16)):
// turns 'keypoint' [M, T, V, 2] (and 'keypoint_score' [M, T, V], 1 when absent or
// use_score=False) into pseudo heatmaps, tensor 'imgs' [T, H, W, C] float32 with H, W from
// img_shape: C = V keypoint maps (with_kp) followed by one map per skeleton limb (with_limb).
// Each map is the maximum over persons of a Gaussian (sigma) scaled by the score, computed
// only in the window of +-3 sigma around the joint (or limb), as MMAction2 computes it in
// numpy: keypoint maps in float32 (exp as numpy's SIMD float32 exp), limb maps in float64
// rounded to float32. double=True appends the maps of the horizontally flipped keypoints
// (left_kp/right_kp swapped): [2T, H, W, C], FormatShape then makes it 2 crops.
#pragma once

#include <array>
#include <vector>

#include "tubelet/data/transform.h"

namespace tubelet {

struct GeneratePoseTargetOptions {
  double sigma = 0.6;
  bool use_score = true;
  bool with_kp = true;
  bool with_limb = false;
  std::vector<std::array<int64_t, 2>> skeletons;  // COCO-17 limbs when built from a config
  bool double_ = false;                           // the config key `double`
  std::vector<int64_t> left_kp, right_kp;
};

class GeneratePoseTarget : public Transform {
 public:
  explicit GeneratePoseTarget(GeneratePoseTargetOptions options);
  void apply(Sample& sample) override;
  std::string type() const override { return "GeneratePoseTarget"; }

  // numpy's float32 exp on CPUs with AVX2+FMA3 or AVX-512F (simd_exp_FLOAT: Cody-Waite
  // reduction and a 5/2 rational minimax polynomial), scalar, bit for bit.
  static float numpy_expf(float x);

 private:
  GeneratePoseTargetOptions options_;
};

}  // namespace tubelet
