#include "tubelet/data/transforms/resize.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

int interpolation_code(const std::string& name) {
  if (name == "nearest") return cv::INTER_NEAREST;
  if (name == "bilinear") return cv::INTER_LINEAR;
  if (name == "bicubic") return cv::INTER_CUBIC;
  if (name == "area") return cv::INTER_AREA;
  if (name == "lanczos") return cv::INTER_LANCZOS4;
  throw std::invalid_argument("interpolation '" + name +
                              "' is not one of nearest, bilinear, bicubic, area, lanczos");
}

std::pair<int64_t, int64_t> resize_target(const ResizeScale& scale, bool keep_ratio, int64_t img_w,
                                          int64_t img_h) {
  if (!keep_ratio) {
    if (scale.is_factor || !std::isfinite(scale.first))
      throw std::invalid_argument("Resize: keep_ratio=False needs a (w, h) scale");
    return {static_cast<int64_t>(scale.first), static_cast<int64_t>(scale.second)};
  }
  double factor = scale.factor;
  if (!scale.is_factor) {
    double long_edge = std::max(scale.first, scale.second);
    double short_edge = std::min(scale.first, scale.second);
    factor = std::min(long_edge / static_cast<double>(std::max(img_h, img_w)),
                      short_edge / static_cast<double>(std::min(img_h, img_w)));
  }
  // mmcv's _scale_size: int(w * f + 0.5), truncating.
  return {static_cast<int64_t>(static_cast<double>(img_w) * factor + 0.5),
          static_cast<int64_t>(static_cast<double>(img_h) * factor + 0.5)};
}

void resize_sample(Sample& sample, int64_t new_w, int64_t new_h, bool keep_ratio,
                   const std::string& interpolation, const std::string& who) {
  auto [img_h, img_w] = transforms::image_shape(sample, who);
  if (new_w <= 0 || new_h <= 0)
    throw std::invalid_argument(who + ": target size " + std::to_string(new_w) + "x" +
                                std::to_string(new_h) + " is empty");
  std::vector<float> previous{1.f, 1.f};
  if (const Value* sf = sample.info.find("scale_factor"))
    previous = transforms::float32_values(*sf, "scale_factor");
  float fx = static_cast<float>(static_cast<double>(new_w) / img_w);
  float fy = static_cast<float>(static_cast<double>(new_h) / img_h);
  transforms::set_image_shape(sample, new_h, new_w);
  sample.info.set("keep_ratio", keep_ratio);
  sample.info.set("scale_factor",
                  transforms::float32_list({previous.at(0) * fx, previous.at(1) * fy}));

  int code = interpolation_code(interpolation);
  for (size_t i = 0; i < sample.imgs.size(); ++i) {
    cv::Mat out;
    cv::resize(transforms::frame(sample, i, who), out,
               cv::Size(static_cast<int>(new_w), static_cast<int>(new_h)), 0, 0, code);
    sample.imgs[i] = out;
  }
  if (const torch::Tensor* kp = sample.tensor("keypoint"))
    sample.set_tensor("keypoint", *kp * torch::tensor({fx, fy}).to(kp->dtype()));
  if (const torch::Tensor* boxes = sample.tensor("gt_bboxes")) {
    auto factors = torch::tensor({fx, fy, fx, fy});
    sample.set_tensor("gt_bboxes", *boxes * factors.to(boxes->dtype()));
    if (const torch::Tensor* proposals = sample.tensor("proposals")) {
      if (proposals->dim() != 2 || proposals->size(1) != 4)
        throw std::invalid_argument(who + ": proposals must be N x 4");
      sample.set_tensor("proposals", *proposals * factors.to(proposals->dtype()));
    }
  }
}

void Resize::apply(Sample& sample) {
  auto [img_h, img_w] = transforms::image_shape(sample, type());
  auto [new_w, new_h] = resize_target(scale_, keep_ratio_, img_w, img_h);
  resize_sample(sample, new_w, new_h, keep_ratio_, interpolation_, type());
}

namespace {

ResizeScale read_scale(Args& args, bool keep_ratio) {
  Value v = args.required<Value>("scale");
  ResizeScale scale;
  if (v.is_float()) {
    if (v.as_float() <= 0)
      throw args.error("scale",
                       "Invalid scale " + float_repr(v.as_float()) + ", must be positive.");
    scale.is_factor = true;
    scale.factor = v.as_float();
  } else if (v.is_tuple() && v.as_list().size() == 2 && v.as_list()[0].is_number() &&
             v.as_list()[1].is_number()) {
    double a = v.as_list()[0].as_float(), b = v.as_list()[1].as_float();
    if (std::min(a, b) == -1) {
      scale.first = std::numeric_limits<double>::infinity();
      scale.second = std::max(a, b);
    } else {
      scale.first = a;
      scale.second = b;
    }
    if (!keep_ratio && (!v.as_list()[0].is_int() || !v.as_list()[1].is_int() ||
                        !std::isfinite(scale.first) || a <= 0 || b <= 0))
      throw args.error("scale",
                       "keep_ratio=False needs scale=(w, h) of positive ints, got " + repr(v));
  } else {
    throw args.error("scale",
                     "Scale must be float or tuple of int, but got " + transforms::python_type(v));
  }
  if (scale.is_factor && !keep_ratio)
    throw args.error("scale", "keep_ratio=False needs scale=(w, h), got " + repr(v));
  return scale;
}

std::shared_ptr<Transform> build_resize(Args& args) {
  bool keep_ratio = args.get<bool>("keep_ratio", true);
  ResizeScale scale = read_scale(args, keep_ratio);
  std::string interpolation = args.get("interpolation", "bilinear");
  transforms::reject_lazy(args);
  try {
    interpolation_code(interpolation);
  } catch (const std::invalid_argument& e) {
    throw args.error("interpolation", e.what());
  }
  return std::make_shared<Resize>(scale, keep_ratio, interpolation);
}

}  // namespace

TUBELET_REGISTER(PIPELINES, Resize, build_resize);

}  // namespace tubelet
