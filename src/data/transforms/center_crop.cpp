#include "tubelet/data/transforms/center_crop.h"

#include "tubelet/data/transforms/common.h"

namespace tubelet {

namespace {
// Python's // on ints (floor, also for negatives).
int64_t floor_div_center_crop(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
}  // namespace

void CenterCrop::apply(Sample& sample) {
  auto [img_h, img_w] = transforms::image_shape(sample, type());
  auto [crop_w, crop_h] = crop_size_;
  int64_t left = floor_div_center_crop(img_w - crop_w, 2),
          top = floor_div_center_crop(img_h - crop_h, 2);
  transforms::apply_crop(sample, left, top, crop_w, crop_h, img_w, img_h, type());
}

namespace {

std::shared_ptr<Transform> build_center_crop(Args& args) {
  auto size = transforms::read_int_pair(args, "crop_size", "Crop_size must be int or tuple of int");
  transforms::reject_lazy(args);
  return std::make_shared<CenterCrop>(size);
}

}  // namespace

TUBELET_REGISTER(PIPELINES, CenterCrop, build_center_crop);

}  // namespace tubelet
