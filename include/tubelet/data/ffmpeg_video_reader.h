// The VideoReader behind DecordInit, PyAVInit and OpenCVInit: FFmpeg with frame-exact random
// access.
//
// Opening reads the stream's packets once (no decoding) to learn every frame's presentation
// time and the key frames. frames() then seeks to the key frame each requested frame needs and
// decodes forward only as far as the last one; sorted requests share one pass. Frames are
// numbered in presentation order from 0, as decord, PyAV and OpenCV number them. Streams whose
// packets lack presentation times (packed B-frames in AVI) are numbered in decoder output order
// and read forward from the start.
//
// Pixels are converted as OpenCV's FFmpeg backend does (swscale to BGR24, SWS_BICUBIC, default
// BT.601 coefficients) and then swapped to RGB, which is what MMAction2's OpenCVDecode gives
// and, with Debian's FFmpeg 5.1, what PyAV's to_rgb() gives too.
//
// Not thread-safe: one reader per sample.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tubelet/data/video_reader.h"

namespace tubelet {

class FFmpegVideoReader : public VideoReader {
 public:
  // Throws std::runtime_error naming `path` when it is missing, not a video, or has no
  // decodable video stream. `num_threads` > 1 lets the decoder use threads (same pixels).
  explicit FFmpegVideoReader(const std::string& path, int num_threads = 1);
  ~FFmpegVideoReader() override;
  FFmpegVideoReader(const FFmpegVideoReader&) = delete;
  FFmpegVideoReader& operator=(const FFmpegVideoReader&) = delete;

  int64_t num_frames() const override;
  double fps() const override;
  std::vector<cv::Mat> frames(const std::vector<int64_t>& indices) override;
  const std::string& path() const override;
  int width() const;
  int height() const;

  // The frame decoding of `index` starts from: the key frame before it (decord's seek() and
  // PyAV's backward seek land there, which is what their 'efficient' modes return).
  int64_t key_frame_of(int64_t index) const;
  // Presentation indices of the key frames.
  std::vector<int64_t> key_frames() const;

  // Work done so far (for tests and benchmarks): packets sent to the decoder, frames it
  // returned, and seeks made.
  int64_t packets_decoded() const;
  int64_t frames_decoded() const;
  int64_t seeks() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tubelet
