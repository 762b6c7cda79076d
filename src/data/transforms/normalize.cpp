#include "tubelet/data/transforms/normalize.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

namespace {

// Frame i as float32 with `channels` channels, all frames the size of the first.
cv::Mat float_frame(const Sample& sample, size_t i, int channels, const std::string& who) {
  const cv::Mat& img = transforms::frame(sample, i, who);
  const cv::Mat& first = sample.imgs.front();
  if (img.channels() != channels || img.size() != first.size())
    throw std::invalid_argument(who + ": frame " + std::to_string(i) + " is " +
                                std::to_string(img.cols) + "x" + std::to_string(img.rows) + "x" +
                                std::to_string(img.channels()) + ", expected " +
                                std::to_string(first.cols) + "x" + std::to_string(first.rows) +
                                "x" + std::to_string(channels));
  cv::Mat out;
  img.convertTo(out, CV_32F);
  return out;
}

}  // namespace

void Normalize::apply(Sample& sample) {
  const std::string& modality = sample.need("modality", type()).as_str();
  if (modality == "RGB") return apply_rgb(sample);
  if (modality == "Flow") return apply_flow(sample);
  throw std::invalid_argument("Normalize: modality '" + modality +
                              "' is not supported (RGB or Flow)");
}

void Normalize::apply_rgb(Sample& sample) const {
  const int c = static_cast<int>(mean_.size());
  if (sample.imgs.empty()) transforms::frame(sample, 0, type());
  if (static_cast<int>(std_.size()) != c || sample.imgs.front().channels() != c)
    throw std::invalid_argument("Normalize: " + std::to_string(mean_.size()) + " means and " +
                                std::to_string(std_.size()) + " stds for frames with " +
                                std::to_string(sample.imgs.front().channels()) + " channels");
  if (to_bgr_ && c != 3)
    throw std::invalid_argument("Normalize: to_bgr needs 3-channel frames, got " +
                                std::to_string(c) + " channels");
  for (size_t i = 0; i < sample.imgs.size(); ++i) {
    cv::Mat img = float_frame(sample, i, c, type());
    if (to_bgr_) {
      cv::Mat swapped;
      cv::cvtColor(img, swapped, cv::COLOR_RGB2BGR);
      img = swapped;
    }
    for (int y = 0; y < img.rows; ++y) {
      float* row = img.ptr<float>(y);
      for (int x = 0; x < img.cols; ++x)
        for (int k = 0; k < c; ++k) row[x * c + k] = (row[x * c + k] - mean_[k]) / std_[k];
    }
    sample.imgs[i] = img;
  }
  Dict cfg;
  cfg.set("mean", transforms::float32_list(mean_));
  cfg.set("std", transforms::float32_list(std_));
  cfg.set("to_bgr", to_bgr_);
  sample.info.set("img_norm_cfg", cfg);
}

void Normalize::apply_flow(Sample& sample) const {
  if (sample.imgs.empty()) transforms::frame(sample, 0, type());
  if (sample.imgs.size() % 2 != 0)
    throw std::invalid_argument("Normalize: Flow needs x and y frames in pairs, got " +
                                std::to_string(sample.imgs.size()) + " frames");
  if (mean_.size() != 2 || std_.size() != 2)
    throw std::invalid_argument("Normalize: Flow needs 2 means and 2 stds");
  float sx = 1.f, sy = 1.f;
  if (adjust_magnitude_) {
    auto sf = transforms::float32_values(sample.need("scale_factor", type()), "scale_factor");
    sx = sf.at(0);
    sy = sf.at(1);
  }
  std::vector<cv::Mat> out;
  for (size_t i = 0; i + 1 < sample.imgs.size(); i += 2) {
    cv::Mat x = float_frame(sample, i, 1, type()), y = float_frame(sample, i + 1, 1, type());
    cv::Mat xy(x.rows, x.cols, CV_32FC2);
    for (int r = 0; r < x.rows; ++r) {
      const float* px = x.ptr<float>(r);
      const float* py = y.ptr<float>(r);
      float* o = xy.ptr<float>(r);
      for (int col = 0; col < x.cols; ++col) {
        float vx = (px[col] - mean_[0]) / std_[0], vy = (py[col] - mean_[1]) / std_[1];
        o[2 * col] = adjust_magnitude_ ? vx * sx : vx;
        o[2 * col + 1] = adjust_magnitude_ ? vy * sy : vy;
      }
    }
    out.push_back(xy);
  }
  sample.imgs = std::move(out);
  Dict cfg;
  cfg.set("mean", transforms::float32_list(mean_));
  cfg.set("std", transforms::float32_list(std_));
  cfg.set("to_bgr", to_bgr_);
  cfg.set("adjust_magnitude", adjust_magnitude_);
  sample.info.set("img_norm_cfg", cfg);
}

namespace {

std::vector<float> read_floats(Args& args, const std::string& key, const char* name) {
  Value v = args.required<Value>(key);
  if (!v.is_sequence())
    throw args.error(key, std::string(name) + " must be list, tuple or np.ndarray, but got " +
                              transforms::python_type(v));
  std::vector<float> out;
  for (const Value& x : v.as_list()) {
    if (!x.is_number()) throw args.error(key, std::string(name) + " must hold numbers");
    out.push_back(static_cast<float>(x.as_float()));  // np.array(mean, dtype=np.float32)
  }
  return out;
}

std::shared_ptr<Transform> build_normalize(Args& args) {
  auto mean = read_floats(args, "mean", "Mean");
  auto std = read_floats(args, "std", "Std");
  bool to_bgr = args.get<bool>("to_bgr", false);
  bool adjust = args.get<bool>("adjust_magnitude", false);
  if (mean.size() != std.size()) throw args.error("std", "mean and std must have the same length");
  return std::make_shared<Normalize>(mean, std, to_bgr, adjust);
}

}  // namespace

TUBELET_REGISTER(PIPELINES, Normalize, build_normalize);

}  // namespace tubelet
