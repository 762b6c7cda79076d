#include "tubelet/data/transforms/common.h"

#include <torch/torch.h>

#include <random>
#include <stdexcept>

namespace tubelet::transforms {

void reject_lazy(Args& args) {
  if (args.get<bool>("lazy", false))
    throw args.error("lazy", "lazy=True (deferred crops fused by Fuse) is not supported");
}

const cv::Mat& frame(const Sample& sample, size_t i, const std::string& who) {
  if (i >= sample.imgs.size())
    throw std::invalid_argument(who + ": the sample has no frames in 'imgs'" +
                                std::string(sample.tensor("imgs") ? " (already formatted)" : ""));
  const cv::Mat& img = sample.imgs[i];
  if (img.empty() || img.dims != 2)
    throw std::invalid_argument(who + ": frame " + std::to_string(i) + " is not an image");
  return img;
}

std::pair<int64_t, int64_t> image_shape(Sample& sample, const std::string& who) {
  if (sample.info.contains("lazy"))
    throw std::invalid_argument(who + ": Use Fuse after lazy operations");
  const Value* shape = sample.info.find("img_shape");
  if (!shape) {
    const cv::Mat& img = frame(sample, 0, who);
    set_image_shape(sample, img.rows, img.cols);
    return {img.rows, img.cols};
  }
  if (!shape->is_sequence() || shape->as_list().size() < 2)
    throw std::invalid_argument(who + ": img_shape must be (h, w), got " + repr(*shape));
  return {shape->as_list()[0].as_int(), shape->as_list()[1].as_int()};
}

void set_image_shape(Sample& sample, int64_t h, int64_t w) {
  sample.info.set("img_shape", int_tuple({h, w}));
}

int64_t random_int(Sample& sample, int64_t low, int64_t high) {
  return std::uniform_int_distribution<int64_t>(low, high)(sample.rng);
}

double random_uniform(Sample& sample, double low, double high) {
  return low + (high - low) * uniform01(sample);
}

Value int_list(const std::vector<int64_t>& values) {
  List items(values.begin(), values.end());
  return Value::list(std::move(items));
}

Value int_tuple(const std::vector<int64_t>& values) {
  List items(values.begin(), values.end());
  return Value::tuple(std::move(items));
}

Value float32_list(const std::vector<float>& values) {
  List items;
  for (float v : values) items.emplace_back(static_cast<double>(v));
  return Value::list(std::move(items));
}

std::vector<float> float32_values(const Value& v, const std::string& what) {
  if (!v.is_sequence()) throw std::invalid_argument(what + " must be a sequence, got " + repr(v));
  std::vector<float> out;
  for (const Value& x : v.as_list()) out.push_back(static_cast<float>(x.as_float()));
  return out;
}

void update_crop_quadruple(Sample& sample, int64_t x, int64_t y, int64_t w, int64_t h,
                           int64_t img_w, int64_t img_h) {
  // The old quadrant as it is: float32 values from an earlier crop, Python floats from
  // PoseCompact.
  std::vector<double> old{0.0, 0.0, 1.0, 1.0};
  if (const Value* q = sample.info.find("crop_quadruple")) {
    if (!q->is_sequence() || q->as_list().size() != 4)
      throw std::invalid_argument("crop_quadruple must have 4 values, got " + repr(*q));
    for (size_t i = 0; i < 4; ++i) old[i] = q->as_list()[i].as_float();
  }
  // numpy: float32 scalars mixed with Python floats compute in float64, stored as float32.
  double x_ratio = static_cast<double>(x) / img_w, y_ratio = static_cast<double>(y) / img_h;
  double w_ratio = static_cast<double>(w) / img_w, h_ratio = static_cast<double>(h) / img_h;
  sample.info.set("crop_quadruple", float32_list({static_cast<float>(old[0] + x_ratio * old[2]),
                                                  static_cast<float>(old[1] + y_ratio * old[3]),
                                                  static_cast<float>(w_ratio * old[2]),
                                                  static_cast<float>(h_ratio * old[3])}));
}

namespace {

torch::Tensor crop_boxes(const torch::Tensor& box, const std::array<int64_t, 4>& bbox) {
  auto out = box.clone();
  double w = static_cast<double>(bbox[2] - bbox[0]), h = static_cast<double>(bbox[3] - bbox[1]);
  using torch::indexing::Slice;
  out.index_put_(
      {"...", Slice(0, torch::indexing::None, 2)},
      (box.index({"...", Slice(0, torch::indexing::None, 2)}) - bbox[0]).clamp(0, w - 1));
  out.index_put_(
      {"...", Slice(1, torch::indexing::None, 2)},
      (box.index({"...", Slice(1, torch::indexing::None, 2)}) - bbox[1]).clamp(0, h - 1));
  return out;
}

}  // namespace

void crop_sample(Sample& sample, const std::array<int64_t, 4>& bbox, const std::string& who) {
  if (const torch::Tensor* kp = sample.tensor("keypoint")) {
    // numpy: kps - crop_bbox[:2] with an int64 crop_bbox gives float64 keypoints.
    auto shift = torch::tensor({bbox[0], bbox[1]}, torch::kFloat64);
    sample.set_tensor("keypoint", kp->to(torch::kFloat64) - shift);
  }
  cv::Rect roi(static_cast<int>(bbox[0]), static_cast<int>(bbox[1]),
               static_cast<int>(bbox[2] - bbox[0]), static_cast<int>(bbox[3] - bbox[1]));
  for (size_t i = 0; i < sample.imgs.size(); ++i) {
    const cv::Mat& img = frame(sample, i, who);
    if (roi.x < 0 || roi.y < 0 || roi.x + roi.width > img.cols || roi.y + roi.height > img.rows)
      throw std::invalid_argument(
          who + ": crop [" + std::to_string(bbox[0]) + ", " + std::to_string(bbox[1]) + ", " +
          std::to_string(bbox[2]) + ", " + std::to_string(bbox[3]) + "] is outside the " +
          std::to_string(img.cols) + "x" + std::to_string(img.rows) + " frame");
    sample.imgs[i] = img(roi);
  }
  if (const torch::Tensor* boxes = sample.tensor("gt_bboxes")) {
    sample.set_tensor("gt_bboxes", crop_boxes(*boxes, bbox));
    if (const torch::Tensor* proposals = sample.tensor("proposals")) {
      if (proposals->dim() != 2 || proposals->size(1) != 4)
        throw std::invalid_argument(who + ": proposals must be N x 4");
      sample.set_tensor("proposals", crop_boxes(*proposals, bbox));
    }
  }
}

std::string python_type(const Value& v) {
  return std::string("<class '") + v.type_name() + "'>";
}

std::pair<int64_t, int64_t> read_int_pair(Args& args, const std::string& key,
                                          const std::string& message) {
  Value v = args.required<Value>(key);
  if (v.is_int() && !v.is_bool()) return {v.as_int(), v.as_int()};
  if (v.is_sequence() && v.as_list().size() == 2 && v.as_list()[0].is_int() &&
      v.as_list()[1].is_int())
    return {v.as_list()[0].as_int(), v.as_list()[1].as_int()};
  throw args.error(key, message + ", but got " + python_type(v));
}

void apply_crop(Sample& sample, int64_t x, int64_t y, int64_t w, int64_t h, int64_t img_w,
                int64_t img_h, const std::string& who) {
  update_crop_quadruple(sample, x, y, w, h, img_w, img_h);
  std::array<int64_t, 4> bbox{x, y, x + w, y + h};
  sample.info.set("crop_bbox", int_list({bbox.begin(), bbox.end()}));
  set_image_shape(sample, h, w);
  crop_sample(sample, bbox, who);
}

}  // namespace tubelet::transforms
