#include "data/decoding/stream_decoder.h"

#include "data/decoding/ffmpeg_handles.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <stdexcept>

#include "data/decoding/v4l2_input.h"

namespace tubelet::decoding {

namespace {

// FFmpeg's own log stays quiet (errors come back as exceptions); the network layer is set
// up once per process, as libavformat asks.
void init_stream_ffmpeg() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_log_set_level(AV_LOG_FATAL);
    avformat_network_init();
  });
}

int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string seconds_text(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

}  // namespace

struct StreamDecoder::Impl {
  std::string source;
  FrameSourceKind kind;
  double timeout_s;
  // What the interrupt callback reads, from FFmpeg's thread and interrupt()'s.
  std::atomic<bool> stopped{false};
  std::atomic<int64_t> deadline_ns{std::numeric_limits<int64_t>::max()};

  ffmpeg::FormatPtr format;
  ffmpeg::CodecPtr codec;
  ffmpeg::PacketPtr packet{av_packet_alloc()};
  ffmpeg::FramePtr frame{av_frame_alloc()};
  ffmpeg::RgbConverter rgb;
  int stream = -1;
  double fps = 0;
  AVRational time_base{0, 1};
  int64_t first_ts = AV_NOPTS_VALUE;
  int64_t decoded = 0;
  int64_t packets_sent = 0;
  bool eof = false;
  bool drained = false;
  std::atomic<bool> ended_silent{false};  // read by FrameStream's consumer thread

  bool live() const { return kind != FrameSourceKind::kFile; }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(std::string(frame_source_noun(kind)) + " '" + source + "': " + what);
  }

  // The next blocking FFmpeg call on a live source gives up `seconds` from now. Files never
  // time out: a local read does not wait on anyone.
  void arm(double seconds) {
    deadline_ns = live() ? steady_now_ns() + static_cast<int64_t>(seconds * 1e9)
                         : std::numeric_limits<int64_t>::max();
  }

  static int interrupted(void* opaque) {
    const auto* self = static_cast<const Impl*>(opaque);
    return self->stopped.load() || steady_now_ns() > self->deadline_ns.load();
  }

  // Whether a call that returned `rc` after starting at `start_ns` ran into a timeout: the
  // deadline passed (FFmpeg then says "Immediate exit requested") or the protocol's own
  // timeout did (an I/O error after as long).
  bool timed_out(int rc, int64_t start_ns) const {
    const double waited = static_cast<double>(steady_now_ns() - start_ns) / 1e9;
    return live() && (rc == AVERROR_EXIT || waited >= timeout_s * 0.9);
  }

  // ": no data within 5 s (timed out)" or " (FFmpeg's message)", for a call that returned
  // `rc` after starting at `start_ns`.
  std::string why(int rc, int64_t start_ns) const {
    if (timed_out(rc, start_ns))
      return ": no data within " + seconds_text(timeout_s) + " s (timed out)";
    return " (" + ffmpeg::error_text(rc) + ")";
  }

  void open();
  void check_exists() const;
  std::string input_url(const AVInputFormat*& input) const;
  void open_input();
  void find_video_stream();
  void open_decoder();
  bool receive(StreamFrame& out);
  void feed();
  void on_frame(StreamFrame& out);
  cv::Mat to_rgb(const AVFrame* f);
};

void StreamDecoder::Impl::check_exists() const {
  std::error_code ec;
  if (kind == FrameSourceKind::kFile) {
    if (!std::filesystem::exists(source, ec)) fail("no such file");
    if (std::filesystem::is_directory(source, ec)) fail("is a directory, not a video file");
  } else if (kind == FrameSourceKind::kCamera) {
    const std::string device = source.rfind("v4l2:", 0) == 0 ? source.substr(5) : source;
    if (!std::filesystem::exists(device, ec)) fail("no such device (is the camera connected?)");
  }
}

// What avformat_open_input gets: the camera's device path with the video4linux2 input, else
// the source as it is (FFmpeg picks the protocol and the container).
std::string StreamDecoder::Impl::input_url(const AVInputFormat*& input) const {
  input = nullptr;
  if (kind != FrameSourceKind::kCamera) return source;
  std::string why;
  input = v4l2_input_format(why);
  if (!input) fail("cannot open cameras: " + why);
  return source.rfind("v4l2:", 0) == 0 ? source.substr(5) : source;
}

void StreamDecoder::Impl::open_input() {
  const AVInputFormat* input = nullptr;
  const std::string url = input_url(input);
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) fail("out of memory");
  raw->interrupt_callback.callback = &Impl::interrupted;
  raw->interrupt_callback.opaque = this;
  AVDictionary* options = nullptr;
  if (kind == FrameSourceKind::kNetwork) {
    // Each protocol's own I/O timeouts (microseconds), besides the overall deadline: tcp,
    // udp, http and rtsp read "timeout", every protocol "rw_timeout".
    const std::string us = std::to_string(static_cast<int64_t>(timeout_s * 1e6));
    av_dict_set(&options, "timeout", us.c_str(), 0);
    av_dict_set(&options, "rw_timeout", us.c_str(), 0);
  }
  arm(timeout_s);
  const int64_t start = steady_now_ns();
  const int rc = avformat_open_input(&raw, url.c_str(), input, &options);  // frees raw on error
  av_dict_free(&options);
  if (rc < 0) {
    fail(std::string(kind == FrameSourceKind::kFile ? "cannot open it as a video"
                                                    : "cannot open it") +
         why(rc, start));
  }
  format.reset(raw);
}

void StreamDecoder::Impl::find_video_stream() {
  // Reading the stream info may take a few seconds of a live stream (up to a key frame).
  arm(timeout_s + 10);
  const int64_t start = steady_now_ns();
  const int rc = avformat_find_stream_info(format.get(), nullptr);
  if (rc < 0) fail("cannot read its stream info" + why(rc, start));
  for (unsigned i = 0; i < format->nb_streams && stream < 0; ++i) {
    const AVStream* s = format->streams[i];
    if (s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        !(s->disposition & AV_DISPOSITION_ATTACHED_PIC))
      stream = static_cast<int>(i);
  }
  if (stream < 0) fail("no video stream");
  // Only the video stream's packets are wanted: the demuxer may skip the rest.
  for (unsigned i = 0; i < format->nb_streams; ++i)
    if (static_cast<int>(i) != stream) format->streams[i]->discard = AVDISCARD_ALL;
  const AVStream* s = format->streams[stream];
  const AVRational rate = s->avg_frame_rate.num > 0 ? s->avg_frame_rate : s->r_frame_rate;
  fps = rate.den > 0 && rate.num > 0 ? av_q2d(rate) : 0.0;
  time_base = s->time_base;
}

void StreamDecoder::Impl::open_decoder() {
  const AVCodecParameters* par = format->streams[stream]->codecpar;
  const AVCodec* decoder = avcodec_find_decoder(par->codec_id);
  if (!decoder) fail(std::string("no decoder for codec '") + avcodec_get_name(par->codec_id) + "'");
  codec.reset(avcodec_alloc_context3(decoder));
  if (!codec) fail("out of memory");
  int rc = avcodec_parameters_to_context(codec.get(), par);
  if (rc < 0) fail("bad codec parameters (" + ffmpeg::error_text(rc) + ")");
  rc = avcodec_open2(codec.get(), decoder, nullptr);
  if (rc < 0) fail("cannot open its decoder (" + ffmpeg::error_text(rc) + ")");
}

void StreamDecoder::Impl::open() {
  init_stream_ffmpeg();
  if (!packet || !frame) fail("out of memory");
  check_exists();
  open_input();
  find_video_stream();
  open_decoder();
}

// One frame from the decoder if it has one. Sets `drained` once it has given its last.
bool StreamDecoder::Impl::receive(StreamFrame& out) {
  const int rc = avcodec_receive_frame(codec.get(), frame.get());
  if (rc >= 0) {
    on_frame(out);
    av_frame_unref(frame.get());
    return true;
  }
  if (rc == AVERROR_EOF) {
    drained = true;
  } else if (rc != AVERROR(EAGAIN)) {
    // A live stream loses packets (UDP); the decoder picks up at the next key frame.
    if (!live()) fail("corrupt stream (" + ffmpeg::error_text(rc) + ")");
  }
  return false;
}

// Sends the decoder one packet of the video stream, or the end of the stream.
void StreamDecoder::Impl::feed() {
  arm(timeout_s);
  const int64_t start = steady_now_ns();
  int rc;
  while ((rc = av_read_frame(format.get(), packet.get())) >= 0 && packet->stream_index != stream)
    av_packet_unref(packet.get());
  if (rc < 0) {
    if (stopped) {
      drained = true;
      return;
    }
    // A file's read error past the last good packet (a truncated file) ends it there, as
    // FFmpegVideoReader does. A live stream that falls silent after giving frames has ended
    // (UDP has no other end); one that fails otherwise, or before any frame, is an error.
    if (live() && rc != AVERROR_EOF) {
      if (decoded == 0 || !timed_out(rc, start)) fail("reading stopped" + why(rc, start));
      ended_silent = true;
    }
    eof = true;
    avcodec_send_packet(codec.get(), nullptr);
    return;
  }
  rc = avcodec_send_packet(codec.get(), packet.get());
  av_packet_unref(packet.get());
  ++packets_sent;
  if (rc < 0 && rc != AVERROR(EAGAIN) && !live())
    fail("corrupt stream at packet " + std::to_string(packets_sent - 1) + " (" +
         ffmpeg::error_text(rc) + ")");
}

void StreamDecoder::Impl::on_frame(StreamFrame& out) {
  int64_t ts = frame->best_effort_timestamp;
  if (ts == AV_NOPTS_VALUE) ts = frame->pts;
  if (ts != AV_NOPTS_VALUE && first_ts == AV_NOPTS_VALUE) first_ts = ts;
  if (ts != AV_NOPTS_VALUE)
    out.time = static_cast<double>(ts - first_ts) * av_q2d(time_base);
  else
    out.time = fps > 0 ? static_cast<double>(decoded) / fps : 0.0;
  out.index = decoded++;
  out.rgb = to_rgb(frame.get());
}

// ffmpeg::RgbConverter, its errors named by this source.
cv::Mat StreamDecoder::Impl::to_rgb(const AVFrame* f) {
  try {
    return rgb(f, codec->coded_width, codec->coded_height);
  } catch (const std::runtime_error& e) {
    fail(e.what());
  }
}

StreamDecoder::StreamDecoder(const std::string& source, FrameSourceKind kind, double timeout_s)
    : impl_(std::make_unique<Impl>()) {
  if (!(timeout_s > 0))
    throw std::invalid_argument("the timeout for '" + source + "' must be positive, got " +
                                seconds_text(timeout_s));
  impl_->source = source;
  impl_->kind = kind;
  impl_->timeout_s = timeout_s;
  impl_->open();
}

StreamDecoder::~StreamDecoder() = default;

bool StreamDecoder::next(StreamFrame& frame) {
  while (!impl_->stopped) {
    if (impl_->receive(frame)) return true;
    if (impl_->drained) return false;
    // After the end of the stream was sent, a decoder with nothing to give is done.
    if (impl_->eof) return false;
    impl_->feed();
  }
  return false;
}

void StreamDecoder::interrupt() {
  impl_->stopped = true;
}

bool StreamDecoder::ended_silent() const {
  return impl_->ended_silent;
}

double StreamDecoder::fps() const {
  return impl_->fps;
}
int StreamDecoder::width() const {
  return impl_->codec->width;
}
int StreamDecoder::height() const {
  return impl_->codec->height;
}

}  // namespace tubelet::decoding
