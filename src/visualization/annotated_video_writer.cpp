#include "tubelet/visualization/annotated_video_writer.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace tubelet {

namespace {

namespace fs = std::filesystem;

std::string writer_av_message(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, text, sizeof(text));
  return text;
}

// A hidden name beside `target`, unique in this process, as fileio's atomic writes use.
fs::path temporary_beside(const fs::path& target) {
  static std::atomic<int64_t> counter{0};
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  return dir / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                std::to_string(counter++));
}

// 4:2:0 video needs even sizes.
int even_up(int n) {
  return n + (n & 1);
}

}  // namespace

void draw_label_lines(cv::Mat& rgb, const std::vector<std::string>& lines,
                      const LabelStyle& style) {
  const int font = cv::FONT_HERSHEY_DUPLEX;
  int baseline = 0;
  // One line height for all lines (a line's own height depends on its letters).
  const cv::Size glyph = cv::getTextSize("Ag", font, style.font_scale, style.thickness, &baseline);
  for (size_t i = 0; i < lines.size(); ++i) {
    const int y = style.padding + glyph.height +
                  static_cast<int>(i) * (glyph.height + baseline + style.padding / 2);
    cv::putText(rgb, lines[i], cv::Point(style.padding, y), font, style.font_scale, style.color,
                style.thickness);
  }
}

struct AnnotatedVideoWriter::Impl {
  struct CodecFree {
    void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
  };
  struct PacketFree {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
  };
  struct FrameFree {
    void operator()(AVFrame* p) const { av_frame_free(&p); }
  };

  std::string path;
  fs::path temp;
  LabelStyle style;
  int width = 0, height = 0;  // of the frames given
  AVFormatContext* format = nullptr;
  AVStream* stream = nullptr;
  std::unique_ptr<AVCodecContext, CodecFree> codec;
  std::unique_ptr<AVPacket, PacketFree> packet{av_packet_alloc()};
  std::unique_ptr<AVFrame, FrameFree> yuv{av_frame_alloc()};
  SwsContext* sws = nullptr;
  int64_t frames = 0;
  bool closed = false;

  ~Impl() {
    sws_freeContext(sws);
    if (format) {
      if (format->pb) avio_closep(&format->pb);
      avformat_free_context(format);
    }
    if (!closed && !temp.empty()) {
      std::error_code ec;
      fs::remove(temp, ec);
    }
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("annotated video '" + path + "': " + what);
  }

  void open(double fps);
  bool open_encoder(const char* name, AVRational rate);
  void open_file();
  void encode(const AVFrame* frame);
  cv::Mat prepare(const cv::Mat& rgb, const std::vector<std::string>& lines) const;
};

// Tries encoder `name`: false when this FFmpeg lacks it, the container does not take its
// codec, or it does not open.
bool AnnotatedVideoWriter::Impl::open_encoder(const char* name, AVRational rate) {
  const AVCodec* encoder = avcodec_find_encoder_by_name(name);
  if (!encoder || avformat_query_codec(format->oformat, encoder->id, FF_COMPLIANCE_NORMAL) != 1)
    return false;
  codec.reset(avcodec_alloc_context3(encoder));
  if (!codec) fail("out of memory");
  codec->width = even_up(width);
  codec->height = even_up(height);
  codec->pix_fmt = AV_PIX_FMT_YUV420P;
  codec->time_base = av_inv_q(rate);
  codec->framerate = rate;
  codec->gop_size = 12;
  if (format->oformat->flags & AVFMT_GLOBALHEADER) codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (encoder->id == AV_CODEC_ID_H264) {
    // Fast enough to keep up with a stream on a small machine, at x264's default quality.
    av_opt_set(codec->priv_data, "preset", "veryfast", 0);
  } else {
    // A fixed quantizer: MPEG-4's default bit rate (200 kb/s) blurs the text.
    codec->flags |= AV_CODEC_FLAG_QSCALE;
    codec->global_quality = FF_QP2LAMBDA * 3;
  }
  if (avcodec_open2(codec.get(), encoder, nullptr) < 0) {
    codec.reset();
    return false;
  }
  return true;
}

void AnnotatedVideoWriter::Impl::open_file() {
  std::error_code ec;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) fail("its folder " + dir.string() + " does not exist");
  if (fs::is_directory(target, ec)) fail("is a folder");
  temp = temporary_beside(target);
  const int rc = avio_open(&format->pb, temp.c_str(), AVIO_FLAG_WRITE);
  if (rc < 0) fail("cannot write in " + dir.string() + " (" + writer_av_message(rc) + ")");
}

void AnnotatedVideoWriter::Impl::open(double fps) {
  av_log_set_level(AV_LOG_FATAL);
  if (!packet || !yuv) fail("out of memory");
  if (width < 1 || height < 1)
    fail("frames of " + std::to_string(width) + "x" + std::to_string(height) +
         " cannot be encoded");
  if (!(fps > 0)) fail("the frame rate must be positive");
  if (avformat_alloc_output_context2(&format, nullptr, nullptr, path.c_str()) < 0 || !format)
    fail("its extension names no video container FFmpeg knows (use .mp4, .mkv or .avi)");
  const AVRational rate = av_d2q(fps, 100000);
  if (!open_encoder("libx264", rate) && !open_encoder("mpeg4", rate))
    fail("this FFmpeg has neither an H.264 (libx264) nor an MPEG-4 encoder for " +
         std::string(format->oformat->name));
  stream = avformat_new_stream(format, nullptr);
  if (!stream) fail("out of memory");
  stream->time_base = codec->time_base;
  stream->avg_frame_rate = rate;
  int rc = avcodec_parameters_from_context(stream->codecpar, codec.get());
  if (rc < 0) fail("cannot set up its stream (" + writer_av_message(rc) + ")");
  open_file();
  rc = avformat_write_header(format, nullptr);
  if (rc < 0) fail("cannot write its header (" + writer_av_message(rc) + ")");
  yuv->format = AV_PIX_FMT_YUV420P;
  yuv->width = codec->width;
  yuv->height = codec->height;
  if (av_frame_get_buffer(yuv.get(), 32) < 0) fail("out of memory");
}

// Sends `frame` (nullptr: the end) to the encoder and writes the packets it gives back.
void AnnotatedVideoWriter::Impl::encode(const AVFrame* frame) {
  int rc = avcodec_send_frame(codec.get(), frame);
  if (rc < 0) fail("encoding failed (" + writer_av_message(rc) + ")");
  while ((rc = avcodec_receive_packet(codec.get(), packet.get())) >= 0) {
    av_packet_rescale_ts(packet.get(), codec->time_base, stream->time_base);
    packet->stream_index = stream->index;
    rc = av_interleaved_write_frame(format, packet.get());  // takes the packet's data
    if (rc < 0) fail("cannot write (" + writer_av_message(rc) + ")");
  }
  if (rc != AVERROR(EAGAIN) && rc != AVERROR_EOF)
    fail("encoding failed (" + writer_av_message(rc) + ")");
}

// The frame to encode: a copy with the text, padded to even sizes by repeating its edge.
cv::Mat AnnotatedVideoWriter::Impl::prepare(const cv::Mat& rgb,
                                            const std::vector<std::string>& lines) const {
  if (rgb.type() != CV_8UC3 || rgb.cols != width || rgb.rows != height)
    fail("frame " + std::to_string(frames) + " is not a " + std::to_string(width) + "x" +
         std::to_string(height) + " RGB image (got " + std::to_string(rgb.cols) + "x" +
         std::to_string(rgb.rows) + " with " + std::to_string(rgb.channels()) + " channels)");
  cv::Mat canvas = rgb.clone();
  draw_label_lines(canvas, lines, style);
  if (codec->width != width || codec->height != height)
    cv::copyMakeBorder(canvas, canvas, 0, codec->height - height, 0, codec->width - width,
                       cv::BORDER_REPLICATE);
  return canvas;
}

AnnotatedVideoWriter::AnnotatedVideoWriter(const std::string& path, int width, int height,
                                           double fps, const LabelStyle& style)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->width = width;
  impl_->height = height;
  impl_->style = style;
  impl_->open(fps);
}

AnnotatedVideoWriter::~AnnotatedVideoWriter() = default;

void AnnotatedVideoWriter::write(const cv::Mat& rgb, const std::vector<std::string>& lines) {
  Impl& w = *impl_;
  if (w.closed) w.fail("written after close()");
  const cv::Mat canvas = w.prepare(rgb, lines);
  w.sws =
      sws_getCachedContext(w.sws, canvas.cols, canvas.rows, AV_PIX_FMT_RGB24, canvas.cols,
                           canvas.rows, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr);
  if (!w.sws) w.fail("cannot convert RGB to YUV");
  // The encoder may still hold the last frame's buffer.
  if (av_frame_make_writable(w.yuv.get()) < 0) w.fail("out of memory");
  const uint8_t* src[1] = {canvas.data};
  const int stride[1] = {static_cast<int>(canvas.step[0])};
  sws_scale(w.sws, src, stride, 0, canvas.rows, w.yuv->data, w.yuv->linesize);
  w.yuv->pts = w.frames++;
  w.yuv->quality = w.codec->global_quality;
  w.encode(w.yuv.get());
}

void AnnotatedVideoWriter::close() {
  Impl& w = *impl_;
  if (w.closed) return;
  w.encode(nullptr);
  int rc = av_write_trailer(w.format);
  if (rc < 0) w.fail("cannot finish the file (" + writer_av_message(rc) + ")");
  rc = avio_closep(&w.format->pb);
  if (rc < 0) w.fail("cannot write (" + writer_av_message(rc) + ")");
  std::error_code ec;
  fs::rename(w.temp, w.path, ec);
  if (ec) w.fail("cannot rename " + w.temp.string() + " to it (" + ec.message() + ")");
  w.closed = true;
}

const std::string& AnnotatedVideoWriter::path() const {
  return impl_->path;
}
std::string AnnotatedVideoWriter::codec_name() const {
  return impl_->codec->codec->name;
}
int64_t AnnotatedVideoWriter::frames_written() const {
  return impl_->frames;
}

}  // namespace tubelet
