#include "tubelet/data/pose/pose_compact.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

namespace {

// Python's int(x) on a float: truncation toward zero.
int64_t pose_compact_trunc(double x) {
  if (!std::isfinite(x)) throw std::invalid_argument("PoseCompact: the box is not finite");
  return static_cast<int64_t>(std::trunc(x));
}

}  // namespace

void PoseCompact::apply(Sample& sample) {
  auto [h, w] = transforms::image_shape(sample, type());
  const torch::Tensor* found = sample.tensor("keypoint");
  if (!found) throw std::invalid_argument("PoseCompact: the sample has no 'keypoint'");
  if (found->dim() < 1 || found->size(-1) < 2)
    throw std::invalid_argument("PoseCompact: 'keypoint' must be [..., 2] (x, y)");
  // In place, as MMAction2 changes results['keypoint'] (numpy) in place.
  torch::Tensor kp = found->contiguous();
  kp.masked_fill_(kp.isnan(), 0);
  torch::Tensor kp_x = kp.select(-1, 0), kp_y = kp.select(-1, 1);
  auto nonzero_x = kp_x.ne(0), nonzero_y = kp_y.ne(0);
  // np.min(a[a != 0], initial=np.Inf) etc.: values of the keypoint dtype.
  auto extreme = [](const torch::Tensor& v, const torch::Tensor& mask, bool max) {
    torch::Tensor picked = v.masked_select(mask);
    if (picked.numel() == 0)
      return max ? -std::numeric_limits<double>::infinity()
                 : std::numeric_limits<double>::infinity();
    return (max ? picked.max() : picked.min()).item<double>();
  };
  double min_x = extreme(kp_x, nonzero_x, false), max_x = extreme(kp_x, nonzero_x, true);
  double min_y = extreme(kp_y, nonzero_y, false), max_y = extreme(kp_y, nonzero_y, true);
  // max_x - min_x is a subtraction in the keypoint dtype (numpy scalars).
  bool is_float = kp.scalar_type() == torch::kFloat32;
  auto diff = [is_float](double a, double b) {
    return is_float ? static_cast<double>(static_cast<float>(a) - static_cast<float>(b)) : a - b;
  };
  auto sum = [is_float](double a, double b) {
    return is_float ? static_cast<double>(static_cast<float>(a) + static_cast<float>(b)) : a + b;
  };
  if (!(diff(max_x, min_x) >= threshold_) || !(diff(max_y, min_y) >= threshold_)) {
    sample.set_tensor("keypoint", kp);
    return;
  }
  // From here numpy computes in float64 (numpy scalars with Python numbers).
  double center_x = sum(max_x, min_x) / 2, center_y = sum(max_y, min_y) / 2;
  double half_width = diff(max_x, min_x) / 2 * (1 + padding_);
  double half_height = diff(max_y, min_y) / 2 * (1 + padding_);
  if (hw_ratio_) {
    half_height = std::max(hw_ratio_->first * half_width, half_height);
    half_width = std::max(1 / hw_ratio_->second * half_height, half_width);
  }
  double x1 = center_x - half_width, x2 = center_x + half_width;
  double y1 = center_y - half_height, y2 = center_y + half_height;
  int64_t left, top, right, bottom;
  if (!allow_imgpad_) {
    left = pose_compact_trunc(std::max(0.0, x1));
    top = pose_compact_trunc(std::max(0.0, y1));
    right = pose_compact_trunc(std::min(static_cast<double>(w), x2));
    bottom = pose_compact_trunc(std::min(static_cast<double>(h), y2));
  } else {
    left = pose_compact_trunc(x1);
    top = pose_compact_trunc(y1);
    right = pose_compact_trunc(x2);
    bottom = pose_compact_trunc(y2);
  }
  kp_x.sub_(nonzero_x.to(kp.scalar_type()) * left);
  kp_y.sub_(nonzero_y.to(kp.scalar_type()) * top);
  sample.set_tensor("keypoint", kp);
  transforms::set_image_shape(sample, bottom - top, right - left);

  // _combine_quadruple in Python floats.
  std::array<double, 4> old{0.0, 0.0, 1.0, 1.0};
  if (const Value* q = sample.info.find("crop_quadruple")) {
    if (!q->is_sequence() || q->as_list().size() != 4)
      throw std::invalid_argument("PoseCompact: crop_quadruple must have 4 values, got " +
                                  repr(*q));
    for (size_t i = 0; i < 4; ++i) old[i] = q->as_list()[i].as_float();
  }
  double dw = static_cast<double>(w), dh = static_cast<double>(h);
  std::array<double, 4> box{static_cast<double>(left) / dw, static_cast<double>(top) / dh,
                            static_cast<double>(right - left) / dw,
                            static_cast<double>(bottom - top) / dh};
  sample.info.set(
      "crop_quadruple",
      Value::tuple(List{Value(old[0] + old[2] * box[0]), Value(old[1] + old[3] * box[1]),
                        Value(old[2] * box[2]), Value(old[3] * box[3])}));
}

namespace {

std::shared_ptr<Transform> build_pose_compact(Args& args) {
  double padding = args.get<double>("padding", 0.25);
  double threshold = args.get<double>("threshold", 10);
  std::optional<std::pair<double, double>> hw_ratio;
  Value ratio = args.get<Value>("hw_ratio", Value());
  if (ratio.is_number() && !ratio.is_bool()) {
    hw_ratio = std::make_pair(ratio.as_float(), ratio.as_float());
  } else if (ratio.is_sequence() && ratio.as_list().size() == 2 && ratio.as_list()[0].is_number() &&
             ratio.as_list()[1].is_number()) {
    hw_ratio = std::make_pair(ratio.as_list()[0].as_float(), ratio.as_list()[1].as_float());
  } else if (!ratio.is_none()) {
    throw args.error("hw_ratio",
                     "hw_ratio must be None, a float or a pair of floats, got " + repr(ratio));
  }
  if (hw_ratio && (hw_ratio->first <= 0 || hw_ratio->second <= 0))
    throw args.error("hw_ratio", "hw_ratio must be positive, got " + repr(ratio));
  bool allow_imgpad = args.get<bool>("allow_imgpad", true);
  if (!(padding >= 0))
    throw args.error("padding", "padding must be >= 0, got " + float_repr(padding));
  return std::make_shared<PoseCompact>(padding, threshold, hw_ratio, allow_imgpad);
}

}  // namespace

TUBELET_REGISTER(PIPELINES, PoseCompact, build_pose_compact);

}  // namespace tubelet
