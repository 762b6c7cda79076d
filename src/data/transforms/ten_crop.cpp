#include "tubelet/data/transforms/ten_crop.h"

#include <opencv2/core.hpp>
#include <stdexcept>
#include <vector>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

void TenCrop::apply(Sample& sample) {
  transforms::image_shape(sample, type());
  const cv::Mat& first = transforms::frame(sample, 0, type());
  int64_t img_h = first.rows, img_w = first.cols;
  auto [crop_w, crop_h] = crop_size_;
  if (crop_w > img_w || crop_h > img_h)
    throw std::invalid_argument("TenCrop: the crop (" + std::to_string(crop_w) + "x" +
                                std::to_string(crop_h) + ") is larger than the frames (" +
                                std::to_string(img_w) + "x" + std::to_string(img_h) + ")");
  int64_t ws = (img_w - crop_w) / 4, hs = (img_h - crop_h) / 4;
  const std::pair<int64_t, int64_t> offsets[] = {
      {0, 0}, {4 * ws, 0}, {0, 4 * hs}, {4 * ws, 4 * hs}, {2 * ws, 2 * hs}};
  std::vector<cv::Mat> out;
  List boxes;
  for (auto [x, y] : offsets) {
    cv::Rect roi(static_cast<int>(x), static_cast<int>(y), static_cast<int>(crop_w),
                 static_cast<int>(crop_h));
    std::vector<cv::Mat> crops, flips;
    for (size_t i = 0; i < sample.imgs.size(); ++i) {
      const cv::Mat& img = transforms::frame(sample, i, type());
      if (img.rows != img_h || img.cols != img_w)
        throw std::invalid_argument("TenCrop: frames differ in size");
      crops.push_back(img(roi).clone());
      flips.emplace_back();
      cv::flip(crops.back(), flips.back(), 1);
    }
    out.insert(out.end(), crops.begin(), crops.end());
    out.insert(out.end(), flips.begin(), flips.end());
    for (size_t i = 0; i < 2 * crops.size(); ++i)
      boxes.push_back(transforms::int_list({x, y, x + crop_w, y + crop_h}));
  }
  sample.imgs = std::move(out);
  sample.info.set("crop_bbox", Value::list(std::move(boxes)));
  transforms::set_image_shape(sample, crop_h, crop_w);
}

namespace {

std::shared_ptr<Transform> build_ten_crop(Args& args) {
  return std::make_shared<TenCrop>(
      transforms::read_int_pair(args, "crop_size", "Crop_size must be int or tuple of int"));
}

}  // namespace

TUBELET_REGISTER(PIPELINES, TenCrop, build_ten_crop);

}  // namespace tubelet
