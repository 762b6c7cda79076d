#include "tubelet/data/transforms/color_jitter.h"

#include <algorithm>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

namespace {

cv::Mat gray_of(const cv::Mat& img) {  // float32 H x W x 3 -> H x W, float32 arithmetic
  cv::Mat gray(img.rows, img.cols, CV_32F);
  const float r = 0.2989f, g = 0.587f, b = 0.114f;
  for (int y = 0; y < img.rows; ++y) {
    const float* p = img.ptr<float>(y);
    float* o = gray.ptr<float>(y);
    for (int x = 0; x < img.cols; ++x) o[x] = r * p[3 * x] + g * p[3 * x + 1] + b * p[3 * x + 2];
  }
  return gray;
}

void blend(cv::Mat& img, float factor, const cv::Mat* gray, float constant) {
  float rest = static_cast<float>(1.0 - static_cast<double>(factor));
  for (int y = 0; y < img.rows; ++y) {
    float* p = img.ptr<float>(y);
    const float* g = gray ? gray->ptr<float>(y) : nullptr;
    for (int x = 0; x < img.cols; ++x)
      for (int k = 0; k < 3; ++k)
        p[3 * x + k] = factor * p[3 * x + k] + (g ? rest * g[x] : constant);
  }
}

void adjust_contrast(cv::Mat& img, double factor) {
  double mean = cv::mean(gray_of(img))[0];
  // numpy: float32 array * float + np.float64 scalar, the scalar cast to float32.
  blend(img, static_cast<float>(factor), nullptr, static_cast<float>((1 - factor) * mean));
}

void adjust_saturation(cv::Mat& img, double factor) {
  cv::Mat gray = gray_of(img);
  blend(img, static_cast<float>(factor), &gray, 0.f);
}

cv::Mat to_uint8(const cv::Mat& img) {  // np.clip(img, 0, 255).astype(np.uint8): truncation
  cv::Mat out(img.rows, img.cols, CV_8UC3);
  for (int y = 0; y < img.rows; ++y) {
    const float* p = img.ptr<float>(y);
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < img.cols * 3; ++x)
      o[x] = static_cast<uint8_t>(std::min(255.f, std::max(0.f, p[x])));
  }
  return out;
}

void adjust_hue(cv::Mat& img, double factor) {
  cv::Mat hsv;
  cv::cvtColor(to_uint8(img), hsv, cv::COLOR_RGB2HSV);
  int offset = static_cast<int>(factor * 255);  // int() truncates toward zero
  for (int y = 0; y < hsv.rows; ++y) {
    uint8_t* p = hsv.ptr<uint8_t>(y);
    for (int x = 0; x < hsv.cols; ++x) {
      // numpy 1.x adds a non-negative Python int in uint8 (wrapping), a negative one in int16.
      int h = offset >= 0 ? (p[3 * x] + offset) & 0xFF : p[3 * x] + offset;
      p[3 * x] = static_cast<uint8_t>(((h % 180) + 180) % 180);
    }
  }
  cv::Mat rgb;
  cv::cvtColor(hsv, rgb, cv::COLOR_HSV2RGB);
  rgb.convertTo(img, CV_32F);
}

}  // namespace

ColorJitter::ColorJitter(Range brightness, Range contrast, Range saturation, Range hue)
    : brightness_(brightness), contrast_(contrast), saturation_(saturation), hue_(hue) {
  order_ = {0, 1, 2, 3};
  std::mt19937_64 generator(0);
  std::shuffle(order_.begin(), order_.end(), generator);
}

void ColorJitter::apply(Sample& sample) {
  double b = transforms::random_uniform(sample, brightness_.first, brightness_.second);
  double c = transforms::random_uniform(sample, contrast_.first, contrast_.second);
  double s = transforms::random_uniform(sample, saturation_.first, saturation_.second);
  double h = transforms::random_uniform(sample, hue_.first, hue_.second);
  for (size_t i = 0; i < sample.imgs.size(); ++i) {
    const cv::Mat& frame = transforms::frame(sample, i, type());
    if (frame.channels() != 3)
      throw std::invalid_argument("ColorJitter: frames must be H x W x 3 RGB");
    cv::Mat img;
    frame.convertTo(img, CV_32F);
    for (int fn : order_) {
      if (fn == 0 && b != 1) img *= static_cast<float>(b);
      if (fn == 1 && c != 1) adjust_contrast(img, c);
      if (fn == 2 && s != 1) adjust_saturation(img, s);
      if (fn == 3 && h != 0) adjust_hue(img, h);
    }
    sample.imgs[i] = to_uint8(img);
  }
}

namespace {

ColorJitter::Range check_input(Args& args, const char* key, double fallback, double max,
                               double base) {
  Value v = args.get<Value>(key, Value(fallback));
  if (v.is_tuple() && v.as_list().size() == 2 && v.as_list()[0].is_number() &&
      v.as_list()[1].is_number()) {
    double lo = v.as_list()[0].as_float(), hi = v.as_list()[1].as_float();
    if (!(base - max <= lo && lo <= hi && hi <= base + max))
      throw args.error(key, std::string(key) + " must be a tuple (low, high) within [" +
                                float_repr(base - max) + ", " + float_repr(base + max) + "]");
    return {lo, hi};
  }
  if (!v.is_number())
    throw args.error(key, std::string(key) + " must be a float or a tuple, got " + repr(v));
  if (v.as_float() > max)
    throw args.error(key, std::string(key) + " must be at most " + float_repr(max));
  return {base - v.as_float(), base + v.as_float()};
}

std::shared_ptr<Transform> build_color_jitter(Args& args) {
  auto b = check_input(args, "brightness", 0.5, 1, 1);
  auto c = check_input(args, "contrast", 0.5, 1, 1);
  auto s = check_input(args, "saturation", 0.5, 1, 1);
  auto h = check_input(args, "hue", 0.1, 0.5, 0);
  return std::make_shared<ColorJitter>(b, c, s, h);
}

}  // namespace

TUBELET_REGISTER(PIPELINES, ColorJitter, build_color_jitter);

}  // namespace tubelet
