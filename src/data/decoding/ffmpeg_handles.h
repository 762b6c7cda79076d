// What the FFmpeg readers share: their FFmpeg objects owned by std::unique_ptr,
// and the decoded-frame-to-RGB conversion of FFmpegVideoReader and the stream decoder.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <opencv2/core/mat.hpp>
#include <string>

namespace tubelet::ffmpeg {

struct FormatClose {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct CodecFree {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct FrameFree {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};

// FFmpeg's text for an error code (av_strerror), for messages.
inline std::string error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, text, sizeof(text));
  return text;
}

using FormatPtr = std::unique_ptr<AVFormatContext, FormatClose>;
using CodecPtr = std::unique_ptr<AVCodecContext, CodecFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;

// Decoded frames to RGB as OpenCV's FFmpeg backend converts them (cap_ffmpeg_impl.hpp), which
// MMAction2's OpenCV decoding sees: the coded size through swscale to BGR24 with SWS_BICUBIC
// into a 32-byte aligned frame, the visible part cut out, then flipped to RGB. Keeps its
// swscale context and BGR frame from one call to the next.
class RgbConverter {
 public:
  RgbConverter();
  ~RgbConverter();
  RgbConverter(const RgbConverter&) = delete;
  RgbConverter& operator=(const RgbConverter&) = delete;

  // `f` of a decoder whose coded size is coded_width x coded_height: H x W x 3 uint8 RGB.
  // Throws std::runtime_error ("cannot convert its pixel format to RGB", "out of memory")
  // for the caller to name its source in.
  cv::Mat operator()(const AVFrame* f, int coded_width, int coded_height);

 private:
  SwsContext* sws_ = nullptr;
  FramePtr bgr_;
};

}  // namespace tubelet::ffmpeg
