#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "data/decoding/ffmpeg_handles.h"

namespace tubelet::ffmpeg {

RgbConverter::RgbConverter() : bgr_(av_frame_alloc()) {
  if (!bgr_) throw std::runtime_error("out of memory");
}

RgbConverter::~RgbConverter() {
  sws_freeContext(sws_);
}

cv::Mat RgbConverter::operator()(const AVFrame* f, int coded_width, int coded_height) {
  const int w = std::max(coded_width, f->width);
  const int h = std::max(coded_height, f->height);
  sws_ = sws_getCachedContext(sws_, w, h, static_cast<AVPixelFormat>(f->format), w, h,
                              AV_PIX_FMT_BGR24, SWS_BICUBIC, nullptr, nullptr, nullptr);
  if (!sws_) throw std::runtime_error("cannot convert its pixel format to RGB");
  if (bgr_->width != w || bgr_->height != h) {
    av_frame_unref(bgr_.get());
    bgr_->format = AV_PIX_FMT_BGR24;
    bgr_->width = w;
    bgr_->height = h;
    if (av_frame_get_buffer(bgr_.get(), 32) < 0) throw std::runtime_error("out of memory");
  }
  sws_scale(sws_, f->data, f->linesize, 0, h, bgr_->data, bgr_->linesize);
  cv::Mat view(f->height, f->width, CV_8UC3, bgr_->data[0], static_cast<size_t>(bgr_->linesize[0]));
  cv::Mat rgb;
  cv::cvtColor(view, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

}  // namespace tubelet::ffmpeg
