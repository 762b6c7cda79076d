#include "tubelet/data/frame_stream.h"

#include <stdexcept>
#include <thread>

#include "data/decoding/drop_oldest_queue.h"
#include "data/decoding/stream_decoder.h"

namespace tubelet {

const char* frame_source_noun(FrameSourceKind kind) {
  switch (kind) {
    case FrameSourceKind::kFile:
      return "file";
    case FrameSourceKind::kCamera:
      return "camera";
    case FrameSourceKind::kNetwork:
      return "network stream";
  }
  return "source";
}

FrameSourceKind classify_frame_source(const std::string& source) {
  if (source.rfind("/dev/video", 0) == 0 || source.rfind("v4l2:", 0) == 0)
    return FrameSourceKind::kCamera;
  const size_t scheme_end = source.find("://");
  // A scheme is letters, digits, '+', '-' and '.' before "://" (rtsp, http, udp, tcp, ...).
  const bool has_scheme =
      scheme_end != std::string::npos && scheme_end > 0 &&
      source.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") == scheme_end;
  if (has_scheme && source.rfind("file://", 0) != 0) return FrameSourceKind::kNetwork;
  return FrameSourceKind::kFile;
}

struct FrameStream::Impl {
  std::string source;
  FrameSourceKind kind;
  bool live;
  std::unique_ptr<decoding::StreamDecoder> decoder;
  decoding::DropOldestQueue<StreamFrame> queue;
  std::thread reader;  // live sources only

  Impl(const std::string& src, const FrameStreamOptions& options)
      : source(src), kind(classify_frame_source(src)), queue(options.queue_capacity) {
    live = options.live.value_or(kind != FrameSourceKind::kFile);
    // file:// names a file; FFmpeg's file protocol takes the path after it.
    const std::string opened =
        kind == FrameSourceKind::kFile && src.rfind("file://", 0) == 0 ? src.substr(7) : src;
    decoder = std::make_unique<decoding::StreamDecoder>(opened, kind, options.timeout_s);
    if (live) reader = std::thread([this] { read_live(); });
  }

  ~Impl() {
    if (!reader.joinable()) return;
    decoder->interrupt();
    queue.close();
    reader.join();
  }

  // The decode thread: frames into the queue as fast as the source gives them; an error
  // reaches the consumer once it has taken the frames before it.
  void read_live() {
    try {
      StreamFrame frame;
      while (decoder->next(frame)) queue.push(std::move(frame));
      queue.close();
    } catch (...) {
      queue.close(std::current_exception());
    }
  }
};

FrameStream::FrameStream(const std::string& source, const FrameStreamOptions& options)
    : impl_(std::make_unique<Impl>(source, options)) {}

FrameStream::~FrameStream() = default;

bool FrameStream::next(StreamFrame& frame) {
  if (impl_->live) return impl_->queue.pop(frame);
  return impl_->decoder->next(frame);
}

const std::string& FrameStream::source() const {
  return impl_->source;
}
FrameSourceKind FrameStream::kind() const {
  return impl_->kind;
}
bool FrameStream::live() const {
  return impl_->live;
}
double FrameStream::fps() const {
  return impl_->decoder->fps();
}
int FrameStream::width() const {
  return impl_->decoder->width();
}
int FrameStream::height() const {
  return impl_->decoder->height();
}
bool FrameStream::ended_silent() const {
  return impl_->decoder->ended_silent();
}
int64_t FrameStream::dropped() const {
  return impl_->queue.dropped();
}
int64_t FrameStream::max_queued() const {
  return impl_->queue.max_size();
}
int64_t FrameStream::queue_capacity() const {
  return impl_->queue.capacity();
}

}  // namespace tubelet
