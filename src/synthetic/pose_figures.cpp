// The stick figures of the synthetic skeleton dataset. A figure faces the camera (its left is
// the image's right); its pose is a few joint angles in body units (1 = about shoulder height
// above the pelvis, y up), which forward kinematics turns into COCO's 17 keypoints. Its feet
// stay on the ground line unless it jumps.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "synthetic/synthetic_common.h"
#include "tubelet/synthetic/pose_dataset.h"

namespace tubelet::synthetic {

namespace {

constexpr double kPosePi = 3.14159265358979323846;
constexpr int kJoints = 17;

enum class PoseMotion { kWalk, kSit, kRaiseArms, kWave, kJump };

struct PoseClassInfo {
  const char* name;
  PoseMotion motion;
  bool reversed;
};
const PoseClassInfo kPoseClasses[] = {
    {"walking_right", PoseMotion::kWalk, false},
    {"walking_left", PoseMotion::kWalk, true},
    {"sitting_down", PoseMotion::kSit, false},
    {"standing_up", PoseMotion::kSit, true},
    {"raising_arms", PoseMotion::kRaiseArms, false},
    {"lowering_arms", PoseMotion::kRaiseArms, true},
    {"waving", PoseMotion::kWave, false},
    {"jumping", PoseMotion::kJump, false},
};
constexpr int kPoseClassCount = sizeof(kPoseClasses) / sizeof(kPoseClasses[0]);

// Joint angles in radians, measured from straight down and positive away from the body.
struct BodyPose {
  double shift = 0;  // horizontal position of the pelvis, body units from the start
  double lift = 0;   // height of the feet above the ground (jumps)
  double lean = 0;   // torso tilt, positive to the figure's left
  double arm[2] = {0.15, 0.15}, elbow[2] = {0, 0};  // [left, right]
  double hip[2] = {0.08, 0.08}, knee[2] = {0, 0};
};

// What one clip's motion is made of, drawn once per clip.
struct MotionParams {
  double distance, cycles, phase, amplitude, depth, arm_top, hops;
};

double smoothstep(double u) {
  u = std::clamp(u, 0.0, 1.0);
  return u * u * (3 - 2 * u);
}

// The pose at clip time u in [0, 1].
BodyPose pose_at(PoseMotion motion, const MotionParams& p, double u) {
  BodyPose b;
  const double wave = std::sin(2 * kPosePi * p.cycles * u + p.phase);
  b.lean = 0.03 * std::sin(2 * kPosePi * u + p.phase);
  switch (motion) {
    case PoseMotion::kWalk:
      b.shift = p.distance * (u - 0.5);
      b.hip[0] = 0.08 + p.amplitude * wave;
      b.hip[1] = 0.08 - p.amplitude * wave;
      b.knee[0] = 0.6 * std::max(0.0, wave);
      b.knee[1] = 0.6 * std::max(0.0, -wave);
      b.arm[0] = 0.2 - 0.5 * p.amplitude * wave;
      b.arm[1] = 0.2 + 0.5 * p.amplitude * wave;
      break;
    case PoseMotion::kSit: {
      const double c = p.depth * smoothstep(u);
      b.hip[0] = b.hip[1] = 0.08 + 0.7 * c;
      b.knee[0] = b.knee[1] = 1.5 * c;
      b.arm[0] = b.arm[1] = 0.15 + 0.6 * c;
      b.elbow[0] = b.elbow[1] = 0.5 * c;
      break;
    }
    case PoseMotion::kRaiseArms:
      b.arm[0] = b.arm[1] = 0.15 + p.arm_top * smoothstep(u);
      break;
    case PoseMotion::kWave:
      b.arm[1] = p.arm_top;
      b.elbow[1] = 0.7 + 0.6 * wave;
      break;
    case PoseMotion::kJump: {
      // `hops` jumps: a crouch, a flight with the arms up, a landing.
      const double s = std::sin(kPosePi * p.hops * u);
      const double flight = std::max(0.0, s), crouch = std::max(0.0, -s);
      b.lift = 0.3 * flight * flight;
      b.hip[0] = b.hip[1] = 0.08 + 0.5 * crouch;
      b.knee[0] = b.knee[1] = 1.1 * crouch;
      b.arm[0] = b.arm[1] = 0.2 + 2.2 * flight;
      break;
    }
  }
  return b;
}

// COCO keypoints of a pose, in body units relative to the ground point below the pelvis.
void body_keypoints(const BodyPose& b, double xy[kJoints][2]) {
  auto set = [&xy](int j, double x, double y) {
    xy[j][0] = x;
    xy[j][1] = y;
  };
  const double thigh = 0.26, shin = 0.26, upper_arm = 0.17, forearm = 0.16;
  double leg_height = 0;
  for (int side = 0; side < 2; ++side)
    leg_height = std::max(
        leg_height, thigh * std::cos(b.hip[side]) + shin * std::cos(b.hip[side] - b.knee[side]));
  const double px = b.shift, py = leg_height + b.lift;
  // The upper body turns about the pelvis by `lean`.
  const double cl = std::cos(b.lean), sl = std::sin(b.lean);
  auto upper = [&](double x, double y) {
    return std::pair{px + x * cl + y * sl, py - x * sl + y * cl};
  };
  auto [nx, ny] = upper(0, 0.68);
  set(0, nx, ny);
  for (int side = 0; side < 2; ++side) {
    const double s = side == 0 ? 1 : -1;  // the figure's left is +x
    auto [ex, ey] = upper(0.03 * s, 0.71);
    set(1 + side, ex, ey);
    auto [ax, ay] = upper(0.065 * s, 0.68);
    set(3 + side, ax, ay);
    auto [sx, sy] = upper(0.17 * s, 0.52);
    set(5 + side, sx, sy);
    const double elbow_x = sx + upper_arm * s * std::sin(b.arm[side]);
    const double elbow_y = sy - upper_arm * std::cos(b.arm[side]);
    set(7 + side, elbow_x, elbow_y);
    const double forearm_angle = b.arm[side] + b.elbow[side];
    set(9 + side, elbow_x + forearm * s * std::sin(forearm_angle),
        elbow_y - forearm * std::cos(forearm_angle));
    const double hx = px + 0.09 * s, hy = py;
    set(11 + side, hx, hy);
    const double knee_x = hx + thigh * s * std::sin(b.hip[side]);
    const double knee_y = hy - thigh * std::cos(b.hip[side]);
    set(13 + side, knee_x, knee_y);
    const double shin_angle = b.hip[side] - b.knee[side];
    set(15 + side, knee_x + shin * s * std::sin(shin_angle), knee_y - shin * std::cos(shin_angle));
  }
}

const PoseClassInfo& pose_class(int label) {
  if (label < 0 || label >= kPoseClassCount)
    throw std::out_of_range("synthetic pose dataset: label " + std::to_string(label) +
                            " is not in [0, " + std::to_string(kPoseClassCount) + ")");
  return kPoseClasses[label];
}

}  // namespace

const std::vector<std::string>& pose_class_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const PoseClassInfo& c : kPoseClasses) v.emplace_back(c.name);
    return v;
  }();
  return names;
}

PoseClip sample_pose_clip(int label, uint64_t seed, int64_t index, int size, int frames) {
  const PoseClassInfo& info = pose_class(label);
  if (size < 16 || frames < 2)
    throw std::invalid_argument(
        "synthetic pose dataset: images must be at least 16x16 and clips at least 2 frames "
        "long (got size " +
        std::to_string(size) + ", " + std::to_string(frames) + " frames)");
  Rng rng = Rng::for_item(seed, index);
  // Where the figure stands and how large it is (about 1.2 body units tall).
  const double scale = size * rng.uniform(0.3, 0.5) / 1.2;
  const double ground = size * rng.uniform(0.8, 0.95);
  MotionParams p;
  p.distance = rng.uniform(0.25, 0.4) * size / scale;
  const double centre = size * rng.uniform(0.4, 0.6);
  p.cycles = rng.uniform(1.5, 2.5);
  p.phase = rng.uniform(0, 2 * kPosePi);
  p.amplitude = rng.uniform(0.25, 0.45);
  p.depth = rng.uniform(0.8, 1.0);
  p.arm_top = rng.uniform(2.2, 2.9);
  p.hops = rng.integer(1, 2) * 2;  // half-periods of the sine: crouch, flight per jump
  const double jitter = rng.uniform(0.004, 0.012);

  PoseClip clip;
  clip.label = label;
  clip.keypoint = torch::empty({1, frames, kJoints, 2}, torch::kFloat32);
  clip.keypoint_score = torch::empty({1, frames, kJoints}, torch::kFloat32);
  auto kp = clip.keypoint.accessor<float, 4>();
  auto score = clip.keypoint_score.accessor<float, 3>();
  for (int t = 0; t < frames; ++t) {
    double u = static_cast<double>(t) / (frames - 1);
    if (info.reversed) u = 1 - u;
    double xy[kJoints][2];
    body_keypoints(pose_at(info.motion, p, u), xy);
    for (int j = 0; j < kJoints; ++j) {
      // A detector's noise, and now and then a joint it misplaces with a low score.
      const bool missed = rng.uniform() < 0.03;
      const double noise = missed ? 0.08 : jitter;
      const double x = xy[j][0] + noise * rng.normal(), y = xy[j][1] + noise * rng.normal();
      kp[0][t][j][0] = static_cast<float>(centre + scale * x);
      kp[0][t][j][1] = static_cast<float>(ground - scale * y);
      score[0][t][j] = static_cast<float>(missed ? rng.uniform(0.05, 0.3) : rng.uniform(0.7, 1));
    }
  }
  return clip;
}

int PoseDatasetOptions::label_of(int64_t index) const {
  return static_cast<int>(index % kPoseClassCount);
}

bool PoseDatasetOptions::is_val(int64_t index) const {
  return is_val_item(index, videos(), kPoseClassCount, val_ratio());
}

}  // namespace tubelet::synthetic
