// FrameStream's FFmpeg side: opens a file, camera or network stream and decodes its first
// video stream front to back, with the timeouts a live source needs.
#pragma once

#include <memory>
#include <string>

#include "tubelet/data/frame_stream.h"

namespace tubelet::decoding {

class StreamDecoder {
 public:
  // Throws std::runtime_error "<noun> '<source>': <what went wrong>".
  StreamDecoder(const std::string& source, FrameSourceKind kind, double timeout_s);
  ~StreamDecoder();
  StreamDecoder(const StreamDecoder&) = delete;
  StreamDecoder& operator=(const StreamDecoder&) = delete;

  // Decodes the next frame (index: frames decoded before it). False at the end of the source
  // or once interrupt() was called.
  bool next(StreamFrame& frame);
  // Makes a blocked open or read return, from any thread; next() then returns false.
  void interrupt();

  // Whether a live source ended by falling silent for the timeout after giving frames (the
  // only end a UDP stream has), rather than with an end of stream.
  bool ended_silent() const;

  double fps() const;
  int width() const;
  int height() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tubelet::decoding
