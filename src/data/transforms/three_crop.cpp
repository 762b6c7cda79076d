#include "tubelet/data/transforms/three_crop.h"

#include <stdexcept>
#include <vector>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

void ThreeCrop::apply(Sample& sample) {
  transforms::image_shape(sample, type());
  const cv::Mat& first = transforms::frame(sample, 0, type());
  int64_t img_h = first.rows, img_w = first.cols;
  auto [crop_w, crop_h] = crop_size_;
  std::vector<std::pair<int64_t, int64_t>> offsets;
  if (crop_h == img_h) {
    int64_t step = (img_w - crop_w) / 2;
    offsets = {{0, 0}, {2 * step, 0}, {step, 0}};  // left, right, middle
  } else if (crop_w == img_w) {
    int64_t step = (img_h - crop_h) / 2;
    offsets = {{0, 0}, {0, 2 * step}, {0, step}};  // top, bottom, middle
  } else {
    throw std::invalid_argument("ThreeCrop: the crop (" + std::to_string(crop_w) + "x" +
                                std::to_string(crop_h) + ") must match the frames' (" +
                                std::to_string(img_w) + "x" + std::to_string(img_h) +
                                ") height or width");
  }
  if (crop_w > img_w || crop_h > img_h)
    throw std::invalid_argument("ThreeCrop: the crop is larger than the frames");
  std::vector<cv::Mat> out;
  List boxes;
  for (auto [x, y] : offsets) {
    cv::Rect roi(static_cast<int>(x), static_cast<int>(y), static_cast<int>(crop_w),
                 static_cast<int>(crop_h));
    for (size_t i = 0; i < sample.imgs.size(); ++i) {
      const cv::Mat& img = transforms::frame(sample, i, type());
      if (img.rows != img_h || img.cols != img_w)
        throw std::invalid_argument("ThreeCrop: frames differ in size");
      out.push_back(img(roi).clone());
      boxes.push_back(transforms::int_list({x, y, x + crop_w, y + crop_h}));
    }
  }
  sample.imgs = std::move(out);
  sample.info.set("crop_bbox", Value::list(std::move(boxes)));
  transforms::set_image_shape(sample, crop_h, crop_w);
}

namespace {

std::shared_ptr<Transform> build_three_crop(Args& args) {
  return std::make_shared<ThreeCrop>(
      transforms::read_int_pair(args, "crop_size", "Crop_size must be int or tuple of int"));
}

}  // namespace

TUBELET_REGISTER(PIPELINES, ThreeCrop, build_three_crop);

}  // namespace tubelet
