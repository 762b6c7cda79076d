// A sequential source of video frames for `tubelet stream` (MMAction2's long_video_demo.py and
// webcam_demo.py read theirs with cv2.VideoCapture): a video file, a V4L2 camera
// (/dev/videoN) or a network stream FFmpeg opens (rtsp://, http://, udp://, tcp://, ...).
//
// Frames come out in presentation order as H x W x 3 uint8 RGB, converted as
// FFmpegVideoReader converts them (so a file gives the same pixels either way), each with its
// time in seconds from the first frame.
//
// A file is decoded at the consumer's pace: nothing is dropped. A live source (camera or
// network) does not wait for its consumer, so a decode thread reads it and keeps at most
// `queue_capacity` frames: when the consumer falls behind, the oldest queued frame goes, and
// dropped() counts it. Memory stays bounded either way.
//
// Opening and reading a live source time out (FrameStreamOptions::timeout_s): an unreachable
// stream or a silent camera fails with an error naming the source instead of hanging. A live
// source that falls silent for that long after giving frames is taken as ended (a UDP stream
// has no other end): next() returns false and ended_silent() says so.
//
// Not thread-safe: one consumer calls next().
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <optional>
#include <string>

namespace tubelet {

enum class FrameSourceKind { kFile, kCamera, kNetwork };

// "file", "camera" or "network stream", as errors name the source.
const char* frame_source_noun(FrameSourceKind kind);

// What `source` is: /dev/video* (or v4l2:/dev/...) a camera, a URL with a scheme other than
// file: a network stream, anything else a file.
FrameSourceKind classify_frame_source(const std::string& source);

struct StreamFrame {
  cv::Mat rgb;        // H x W x 3 uint8 RGB
  double time = 0;    // seconds since the source's first frame
  int64_t index = 0;  // position in the source, frames dropped before it counted
};

struct FrameStreamOptions {
  // Seconds an open or one read of a live source may wait for data before it fails.
  double timeout_s = 5;
  // Frames a live source's decode thread may hold for the consumer; at least 1.
  int64_t queue_capacity = 16;
  // Read a file as if it were live (decode thread, drops): for tests and for replaying a
  // recording at its own pace. Unset: live for cameras and network streams only.
  std::optional<bool> live;
};

class FrameStream {
 public:
  // Opens `source`. Throws std::runtime_error naming it ("file 'x.mp4': no such file",
  // "network stream 'udp://...': no data within 5 s", "camera '/dev/video9': no such
  // device") when it cannot be opened or has no decodable video stream.
  explicit FrameStream(const std::string& source, const FrameStreamOptions& options = {});
  ~FrameStream();
  FrameStream(const FrameStream&) = delete;
  FrameStream& operator=(const FrameStream&) = delete;

  // The next frame into `frame`; false at the end of the source. Throws std::runtime_error
  // naming the source on a read timeout or a corrupt file.
  bool next(StreamFrame& frame);

  const std::string& source() const;
  FrameSourceKind kind() const;
  bool live() const;
  // The frame rate the container states (0 when it does not).
  double fps() const;
  int width() const;
  int height() const;
  // Whether the source ended by falling silent for the timeout (live sources only).
  bool ended_silent() const;
  // Frames dropped so far because the consumer fell behind (always 0 for a file read at the
  // consumer's pace).
  int64_t dropped() const;
  // The most frames the decode thread's queue has held at once (never above
  // queue_capacity()), and that capacity.
  int64_t max_queued() const;
  int64_t queue_capacity() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tubelet
