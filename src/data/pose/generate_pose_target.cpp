#include "tubelet/data/pose/generate_pose_target.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

namespace {

float pose_target_bits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// MMAction2's self.eps.
constexpr double kPoseTargetEps = 1e-4;

// Python's int(x): truncation toward zero.
int64_t pose_target_trunc(double x) {
  if (!std::isfinite(x))
    throw std::invalid_argument("GeneratePoseTarget: keypoint coordinates must be finite");
  return static_cast<int64_t>(std::trunc(x));
}

// One heatmap (channel `c` of an H x W x C float32 frame), updated with np.maximum.
struct PoseTargetMap {
  float* data;
  int64_t h, w, channels;
  float& at(int64_t y, int64_t x) const { return data[(y * w + x) * channels]; }
};

// generate_a_heatmap for one person: float32 arithmetic, numpy's float32 exp.
template <class T>
void pose_target_keypoint(const PoseTargetMap& map, T mu_x, T mu_y, double sigma,
                          double max_value) {
  if (max_value < kPoseTargetEps) return;
  int64_t st_x = std::max<int64_t>(pose_target_trunc(static_cast<double>(mu_x) - 3 * sigma), 0);
  int64_t ed_x =
      std::min<int64_t>(pose_target_trunc(static_cast<double>(mu_x) + 3 * sigma) + 1, map.w);
  int64_t st_y = std::max<int64_t>(pose_target_trunc(static_cast<double>(mu_y) - 3 * sigma), 0);
  int64_t ed_y =
      std::min<int64_t>(pose_target_trunc(static_cast<double>(mu_y) + 3 * sigma) + 1, map.h);
  if (ed_x <= st_x || ed_y <= st_y) return;
  // numpy casts the (float32 or float64) centre to the float32 of np.arange.
  float fx = static_cast<float>(mu_x), fy = static_cast<float>(mu_y);
  float s2 = static_cast<float>(sigma * sigma);
  float value = static_cast<float>(max_value);
  for (int64_t y = st_y; y < ed_y; ++y) {
    float dy = static_cast<float>(y) - fy;
    float dy2 = dy * dy;
    for (int64_t x = st_x; x < ed_x; ++x) {
      float dx = static_cast<float>(x) - fx;
      float d2 = dx * dx + dy2;
      float e = -d2;
      e = e / 2.0f;
      e = e / s2;
      float patch = GeneratePoseTarget::numpy_expf(e) * value;
      float& out = map.at(y, x);
      out = std::max(out, patch);
    }
  }
}

// generate_a_limb_heatmap for one person. T is the keypoint dtype: the projection onto the
// limb is computed in it; d2_seg and the Gaussian are float64 (int64 * array promotes).
template <class T>
void pose_target_limb(const PoseTargetMap& map, const T* start, const T* end, double sigma,
                      double start_value, double end_value) {
  double value_coeff = std::min(start_value, end_value);
  if (value_coeff < kPoseTargetEps) return;
  int64_t min_x = std::max<int64_t>(
      pose_target_trunc(static_cast<double>(std::min(start[0], end[0])) - 3 * sigma), 0);
  int64_t max_x = std::min<int64_t>(
      pose_target_trunc(static_cast<double>(std::max(start[0], end[0])) + 3 * sigma) + 1, map.w);
  int64_t min_y = std::max<int64_t>(
      pose_target_trunc(static_cast<double>(std::min(start[1], end[1])) - 3 * sigma), 0);
  int64_t max_y = std::min<int64_t>(
      pose_target_trunc(static_cast<double>(std::max(start[1], end[1])) + 3 * sigma) + 1, map.h);
  if (max_x <= min_x || max_y <= min_y) return;
  // numpy scalars: the differences in the keypoint dtype, `**2` and the sum in float64.
  double ab_x = static_cast<double>(static_cast<T>(start[0] - end[0]));
  double ab_y = static_cast<double>(static_cast<T>(start[1] - end[1]));
  double d2_ab = ab_x * ab_x + ab_y * ab_y;
  if (d2_ab < 1) {
    pose_target_keypoint<T>(map, start[0], start[1], sigma, start_value);
    return;
  }
  float sx = static_cast<float>(start[0]), sy = static_cast<float>(start[1]);
  float ex = static_cast<float>(end[0]), ey = static_cast<float>(end[1]);
  float f_ab = static_cast<float>(d2_ab);
  T dir_x = end[0] - start[0], dir_y = end[1] - start[1];
  double s2 = sigma * sigma;
  for (int64_t y = min_y; y < max_y; ++y) {
    float fy = static_cast<float>(y);
    float dsy = fy - sy, dey = fy - ey;
    for (int64_t x = min_x; x < max_x; ++x) {
      float fx = static_cast<float>(x);
      float dsx = fx - sx, dex = fx - ex;
      float d2_start = dsx * dsx + dsy * dsy;
      float d2_end = dex * dex + dey * dey;
      float coeff = d2_start - d2_end;
      coeff = coeff + f_ab;
      coeff = coeff / 2.0f;
      coeff = coeff / f_ab;
      double d2_seg;
      if (coeff <= 0) {
        d2_seg = d2_start;
      } else if (coeff >= 1) {
        d2_seg = d2_end;
      } else {
        T proj_x = start[0] + static_cast<T>(coeff) * dir_x;
        T proj_y = start[1] + static_cast<T>(coeff) * dir_y;
        T lx = static_cast<T>(fx) - proj_x, ly = static_cast<T>(fy) - proj_y;
        d2_seg = static_cast<double>(lx * lx + ly * ly);
      }
      double patch = std::exp(-d2_seg / 2. / s2) * value_coeff;
      float& out = map.at(y, x);
      out = static_cast<float>(std::max(static_cast<double>(out), patch));
    }
  }
}

// gen_an_aug: T x H x W x C maps for keypoints kp [M, T, V, 2] and scores [M, T, V].
template <class T>
void pose_target_frames(const GeneratePoseTargetOptions& o, const torch::Tensor& kp,
                        const torch::Tensor& scores, float* out, int64_t h, int64_t w) {
  int64_t persons = kp.size(0), frames = kp.size(1), joints = kp.size(2);
  int64_t channels =
      (o.with_kp ? joints : 0) + (o.with_limb ? static_cast<int64_t>(o.skeletons.size()) : 0);
  const T* k = kp.data_ptr<T>();
  const double* s = scores.data_ptr<double>();
  auto point = [&](int64_t m, int64_t t, int64_t v) {
    return k + ((m * frames + t) * joints + v) * 2;
  };
  auto score = [&](int64_t m, int64_t t, int64_t v) {
    return o.use_score ? s[(m * frames + t) * joints + v] : 1.0;
  };
  for (int64_t t = 0; t < frames; ++t) {
    float* frame = out + t * h * w * channels;
    int64_t c = 0;
    if (o.with_kp)
      for (int64_t v = 0; v < joints; ++v, ++c) {
        PoseTargetMap map{frame + c, h, w, channels};
        for (int64_t m = 0; m < persons; ++m) {
          const T* p = point(m, t, v);
          pose_target_keypoint<T>(map, p[0], p[1], o.sigma, score(m, t, v));
        }
      }
    if (o.with_limb)
      for (const auto& limb : o.skeletons) {
        PoseTargetMap map{frame + c, h, w, channels};
        ++c;
        for (int64_t m = 0; m < persons; ++m)
          pose_target_limb<T>(map, point(m, t, limb[0]), point(m, t, limb[1]), o.sigma,
                              score(m, t, limb[0]), score(m, t, limb[1]));
      }
  }
}

}  // namespace

float GeneratePoseTarget::numpy_expf(float x) {
  // numpy/core/src/umath/loops_exponent_log.dispatch.c.src (simd_exp_FLOAT) with the
  // constants of npy_simd_data.h / npy_math.h.
  const float xmax = 88.72283935546875f, xmin = -103.97208404541015625f;
  if (std::isnan(x)) return x;
  if (x >= xmax) return std::numeric_limits<float>::infinity();
  if (x <= xmin) return 0.0f;
  const float log2e = pose_target_bits(0x3FB8AA3Bu);
  const float magic = pose_target_bits(0x4B400000u);  // 0x1.8p23
  const float c1 = pose_target_bits(0xBF317200u), c2 = pose_target_bits(0xB5BFBE8Eu);
  const float p0 = 9.999999999980870924916e-01f, p1 = 7.257664613233124478488e-01f,
              p2 = 2.473615434895520810817e-01f, p3 = 5.114512081637298353406e-02f,
              p4 = 6.757896990527504603057e-03f, p5 = 5.082762527590693718096e-04f;
  const float q0 = 1.0f, q1 = -2.742335390411667452936e-01f, q2 = 2.159509375685829852307e-02f;
  float quadrant = x * log2e;
  volatile float rounded = quadrant + magic;  // round to nearest, as two float32 operations
  quadrant = rounded - magic;
  float r = std::fma(quadrant, c1, x);
  r = std::fma(quadrant, c2, r);
  r = std::fma(quadrant, 0.0f, r);
  float num = std::fma(p5, r, p4);
  num = std::fma(num, r, p3);
  num = std::fma(num, r, p2);
  num = std::fma(num, r, p1);
  num = std::fma(num, r, p0);
  float den = std::fma(q2, r, q1);
  den = std::fma(den, r, q0);
  float poly = num / den;
  // _mm512_scalef_ps: poly * 2^quadrant, rounded once (also into the denormal range).
  return std::ldexp(poly, static_cast<int>(quadrant));
}

GeneratePoseTarget::GeneratePoseTarget(GeneratePoseTargetOptions options)
    : options_(std::move(options)) {
  if (!options_.with_kp && !options_.with_limb)
    throw std::invalid_argument(
        "GeneratePoseTarget: At least one of \"with_limb\" and \"with_kp\" should be set as "
        "True.");
  if (!(options_.sigma > 0))
    throw std::invalid_argument("GeneratePoseTarget: sigma must be positive");
}

void GeneratePoseTarget::apply(Sample& sample) {
  const GeneratePoseTargetOptions& o = options_;
  auto [h, w] = transforms::image_shape(sample, type());
  if (h <= 0 || w <= 0)
    throw std::invalid_argument("GeneratePoseTarget: img_shape must be positive, got (" +
                                std::to_string(h) + ", " + std::to_string(w) + ")");
  const torch::Tensor* found = sample.tensor("keypoint");
  if (!found) throw std::invalid_argument("GeneratePoseTarget: the sample has no 'keypoint'");
  if (found->dim() != 4 || found->size(3) != 2)
    throw std::invalid_argument("GeneratePoseTarget: 'keypoint' must be [M, T, V, 2]");
  bool is_double = found->scalar_type() == torch::kFloat64;
  torch::Tensor kp = found->to(is_double ? torch::kFloat64 : torch::kFloat32).contiguous();
  int64_t persons = kp.size(0), frames = kp.size(1), joints = kp.size(2);
  torch::Tensor scores;
  if (const torch::Tensor* s = sample.tensor("keypoint_score")) {
    if (s->dim() != 3 || s->size(0) != persons || s->size(1) != frames || s->size(2) != joints)
      throw std::invalid_argument("GeneratePoseTarget: 'keypoint_score' must be [M, T, V] = [" +
                                  std::to_string(persons) + ", " + std::to_string(frames) + ", " +
                                  std::to_string(joints) + "]");
    scores = s->to(torch::kFloat64).contiguous();
  } else {
    scores = torch::ones({persons, frames, joints}, torch::kFloat64);
  }
  if (o.with_limb)
    for (const auto& limb : o.skeletons)
      for (int64_t j : limb)
        if (j >= joints)
          throw std::invalid_argument("GeneratePoseTarget: skeletons refer to keypoint " +
                                      std::to_string(j) + ", but there are " +
                                      std::to_string(joints) + " keypoints");
  int64_t channels =
      (o.with_kp ? joints : 0) + (o.with_limb ? static_cast<int64_t>(o.skeletons.size()) : 0);
  if (channels == 0)
    throw std::invalid_argument(
        "GeneratePoseTarget: there are no heatmaps to make (no keypoints "
        "and no skeletons)");
  int64_t copies = o.double_ ? 2 : 1;
  auto imgs = torch::zeros({copies * frames, h, w, channels}, torch::kFloat32);
  auto run = [&](const torch::Tensor& k, const torch::Tensor& s, float* out) {
    if (is_double)
      pose_target_frames<double>(o, k, s, out, h, w);
    else
      pose_target_frames<float>(o, k, s, out, h, w);
  };
  run(kp, scores, imgs.data_ptr<float>());
  if (o.double_) {
    // Flip(flip_ratio=1, left_kp, right_kp) on a copy: x -> img_w - x where x != 0, and the
    // left/right keypoints (and their scores) swapped.
    std::vector<int64_t> order(joints);
    for (int64_t i = 0; i < joints; ++i) order[i] = i;
    for (size_t i = 0; i < std::min(o.left_kp.size(), o.right_kp.size()); ++i) {
      int64_t l = o.left_kp[i], r = o.right_kp[i];
      if (l >= joints || r >= joints)
        throw std::invalid_argument("GeneratePoseTarget: left_kp/right_kp refer to keypoint " +
                                    std::to_string(std::max(l, r)) + ", but there are " +
                                    std::to_string(joints) + " keypoints");
      order[l] = r;
      order[r] = l;
    }
    auto index = torch::tensor(order);
    torch::Tensor flipped = kp.clone();
    auto x = flipped.select(-1, 0);
    x.copy_(torch::where(x != 0, w - x, x));
    flipped = flipped.index_select(2, index).contiguous();
    run(flipped, scores.index_select(2, index).contiguous(),
        imgs.data_ptr<float>() + frames * h * w * channels);
  }
  sample.imgs.clear();
  sample.set_tensor("imgs", imgs);
}

namespace {

std::vector<std::array<int64_t, 2>> pose_target_skeletons(Args& args) {
  std::vector<std::array<int64_t, 2>> out;
  const Value* v = args.find("skeletons");
  if (!v) {
    const int64_t coco[17][2] = {{0, 1},   {0, 2},  {1, 3},   {2, 4},   {0, 5},  {5, 7},
                                 {7, 9},   {0, 6},  {6, 8},   {8, 10},  {5, 11}, {11, 13},
                                 {13, 15}, {6, 12}, {12, 14}, {14, 16}, {11, 12}};
    for (const auto& limb : coco) out.push_back({limb[0], limb[1]});
    return out;
  }
  if (!v->is_sequence())
    throw args.error("skeletons",
                     "skeletons must be a list of (start, end) keypoint indices, got " + repr(*v));
  for (const Value& limb : v->as_list()) {
    if (!limb.is_sequence() || limb.as_list().size() != 2 || !limb.as_list()[0].is_int() ||
        !limb.as_list()[1].is_int() || limb.as_list()[0].is_bool() || limb.as_list()[1].is_bool())
      throw args.error(
          "skeletons",
          "each limb in skeletons must be a pair of keypoint indices, got " + repr(limb));
    int64_t a = limb.as_list()[0].as_int(), b = limb.as_list()[1].as_int();
    if (a < 0 || b < 0)
      throw args.error("skeletons",
                       "keypoint indices in skeletons must be >= 0, got " + repr(limb));
    out.push_back({a, b});
  }
  return out;
}

std::vector<int64_t> pose_target_indices(Args& args, const char* key,
                                         std::vector<int64_t> fallback) {
  auto v = args.get<std::vector<int64_t>>(key, std::move(fallback));
  for (int64_t i : v)
    if (i < 0) throw args.error(key, std::string(key) + " must hold indices >= 0");
  return v;
}

std::shared_ptr<Transform> build_generate_pose_target(Args& args) {
  GeneratePoseTargetOptions o;
  o.sigma = args.get<double>("sigma", 0.6);
  o.use_score = args.get<bool>("use_score", true);
  o.with_kp = args.get<bool>("with_kp", true);
  o.with_limb = args.get<bool>("with_limb", false);
  o.skeletons = pose_target_skeletons(args);
  o.double_ = args.get<bool>("double", false);
  o.left_kp = pose_target_indices(args, "left_kp", {1, 3, 5, 7, 9, 11, 13, 15});
  o.right_kp = pose_target_indices(args, "right_kp", {2, 4, 6, 8, 10, 12, 14, 16});
  if (!o.with_kp && !o.with_limb)
    throw args.error("with_kp",
                     "At least one of \"with_limb\" and \"with_kp\" should be set as True.");
  if (!(o.sigma > 0))
    throw args.error("sigma", "sigma must be positive, got " + float_repr(o.sigma));
  return std::make_shared<GeneratePoseTarget>(std::move(o));
}

}  // namespace

TUBELET_REGISTER(PIPELINES, GeneratePoseTarget, build_generate_pose_target);

}  // namespace tubelet
