#include "tubelet/data/transforms/random_resized_crop.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

std::array<int64_t, 4> RandomResizedCrop::crop_bbox(Sample& sample, int64_t img_h, int64_t img_w,
                                                    std::pair<double, double> area_range,
                                                    std::pair<double, double> aspect_ratio_range,
                                                    int max_attempts) {
  double area = static_cast<double>(img_h * img_w);
  std::vector<double> ratios, areas;
  for (int i = 0; i < max_attempts; ++i)
    ratios.push_back(std::exp(transforms::random_uniform(sample, std::log(aspect_ratio_range.first),
                                                         std::log(aspect_ratio_range.second))));
  for (int i = 0; i < max_attempts; ++i)
    areas.push_back(transforms::random_uniform(sample, area_range.first, area_range.second) * area);
  for (int i = 0; i < max_attempts; ++i) {
    // np.round rounds half to even, as nearbyint does in the default rounding mode.
    auto w = static_cast<int64_t>(std::nearbyint(std::sqrt(areas[i] * ratios[i])));
    auto h = static_cast<int64_t>(std::nearbyint(std::sqrt(areas[i] / ratios[i])));
    if (h <= img_h && w <= img_w) {
      int64_t x = transforms::random_int(sample, 0, img_w - w);
      int64_t y = transforms::random_int(sample, 0, img_h - h);
      return {x, y, x + w, y + h};
    }
  }
  int64_t side = std::min(img_h, img_w);
  int64_t x = (img_w - side) / 2, y = (img_h - side) / 2;
  return {x, y, x + side, y + side};
}

void RandomResizedCrop::apply(Sample& sample) {
  auto [img_h, img_w] = transforms::image_shape(sample, type());
  auto box = crop_bbox(sample, img_h, img_w, area_range_, aspect_ratio_range_);
  transforms::apply_crop(sample, box[0], box[1], box[2] - box[0], box[3] - box[1], img_w, img_h,
                         type());
}

namespace {

std::pair<double, double> float_tuple(Args& args, const std::string& key, const char* name,
                                      std::pair<double, double> fallback) {
  const Value* v = args.find(key);
  if (!v) return fallback;
  bool ok = v->is_tuple() && v->as_list().size() == 2;
  for (size_t i = 0; ok && i < 2; ++i) ok = v->as_list()[i].is_float();
  if (!ok)
    throw args.error(key, std::string(name) + " must be a tuple of float, but got " +
                              transforms::python_type(*v));
  return {v->as_list()[0].as_float(), v->as_list()[1].as_float()};
}

std::shared_ptr<Transform> build_random_resized_crop(Args& args) {
  auto area = float_tuple(args, "area_range", "Area_range", {0.08, 1.0});
  auto ratio = float_tuple(args, "aspect_ratio_range", "Aspect_ratio_range", {3.0 / 4, 4.0 / 3});
  transforms::reject_lazy(args);
  if (!(0 < area.first && area.first <= area.second && area.second <= 1))
    throw args.error("area_range", "area_range must satisfy 0 < min <= max <= 1");
  if (!(0 < ratio.first && ratio.first <= ratio.second))
    throw args.error("aspect_ratio_range", "aspect_ratio_range must satisfy 0 < min <= max");
  return std::make_shared<RandomResizedCrop>(area, ratio);
}

}  // namespace

TUBELET_REGISTER(PIPELINES, RandomResizedCrop, build_random_resized_crop);

}  // namespace tubelet
