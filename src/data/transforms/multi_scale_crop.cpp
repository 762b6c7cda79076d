#include "tubelet/data/transforms/multi_scale_crop.h"

#include <cstdlib>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

MultiScaleCrop::MultiScaleCrop(std::pair<int64_t, int64_t> input_size, Value scales,
                               int64_t max_wh_scale_gap, bool random_crop, int64_t num_fixed_crops)
    : input_size_(input_size),
      scales_(std::move(scales)),
      max_wh_scale_gap_(max_wh_scale_gap),
      random_crop_(random_crop),
      num_fixed_crops_(num_fixed_crops) {
  for (const Value& s : scales_.as_list()) scale_values_.push_back(s.as_float());
}

void MultiScaleCrop::apply(Sample& sample) {
  auto [img_h, img_w] = transforms::image_shape(sample, type());
  int64_t base = std::min(img_h, img_w);
  std::vector<int64_t> sizes;
  for (double s : scale_values_) sizes.push_back(static_cast<int64_t>(base * s));
  std::vector<std::pair<int64_t, int64_t>> candidates;  // (w, h)
  for (size_t i = 0; i < sizes.size(); ++i)
    for (size_t j = 0; j < sizes.size(); ++j)
      if (std::llabs(static_cast<int64_t>(i) - static_cast<int64_t>(j)) <= max_wh_scale_gap_)
        candidates.emplace_back(sizes[j], sizes[i]);
  if (candidates.empty())
    throw std::invalid_argument("MultiScaleCrop: no candidate crop sizes (empty scales?)");
  auto [crop_w, crop_h] =
      candidates[transforms::random_int(sample, 0, static_cast<int64_t>(candidates.size()) - 1)];
  if (std::llabs(crop_w - input_size_.first) < 3) crop_w = input_size_.first;
  if (std::llabs(crop_h - input_size_.second) < 3) crop_h = input_size_.second;

  int64_t x = 0, y = 0;
  if (random_crop_) {
    x = transforms::random_int(sample, 0, img_w - crop_w);
    y = transforms::random_int(sample, 0, img_h - crop_h);
  } else {
    int64_t ws = (img_w - crop_w) / 4, hs = (img_h - crop_h) / 4;
    if (img_w - crop_w < 0 || img_h - crop_h < 0)
      throw std::invalid_argument("MultiScaleCrop: the crop is larger than the frame");
    std::vector<std::pair<int64_t, int64_t>> offsets{
        {0, 0}, {4 * ws, 0}, {0, 4 * hs}, {4 * ws, 4 * hs}, {2 * ws, 2 * hs}};
    if (num_fixed_crops_ == 13)
      offsets.insert(offsets.end(), {{0, 2 * hs},
                                     {4 * ws, 2 * hs},
                                     {2 * ws, 4 * hs},
                                     {2 * ws, 0},
                                     {ws, hs},
                                     {3 * ws, hs},
                                     {ws, 3 * hs},
                                     {3 * ws, 3 * hs}});
    std::tie(x, y) =
        offsets[transforms::random_int(sample, 0, static_cast<int64_t>(offsets.size()) - 1)];
  }
  sample.info.set("scales", scales_);
  transforms::apply_crop(sample, x, y, crop_w, crop_h, img_w, img_h, type());
}

namespace {

std::shared_ptr<Transform> build_multi_scale_crop(Args& args) {
  auto input_size =
      transforms::read_int_pair(args, "input_size", "Input_size must be int or tuple of int");
  Value scales = args.get<Value>("scales", Value::tuple({Value(1)}));
  auto gap = args.get<int64_t>("max_wh_scale_gap", 1);
  bool random_crop = args.get<bool>("random_crop", false);
  auto num_fixed = args.get<int64_t>("num_fixed_crops", 5);
  transforms::reject_lazy(args);
  if (!scales.is_tuple())
    throw args.error("scales", "Scales must be tuple, but got " + transforms::python_type(scales));
  for (const Value& s : scales.as_list())
    if (!s.is_number()) throw args.error("scales", "scales must be numbers, got " + repr(scales));
  if (num_fixed != 5 && num_fixed != 13)
    throw args.error("num_fixed_crops",
                     "Num_fix_crops must be in [5, 13], but got " + std::to_string(num_fixed));
  return std::make_shared<MultiScaleCrop>(input_size, scales, gap, random_crop, num_fixed);
}

}  // namespace

TUBELET_REGISTER(PIPELINES, MultiScaleCrop, build_multi_scale_crop);

}  // namespace tubelet
