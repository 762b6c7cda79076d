// A video opened for random access to its frames (decord's VideoReader, PyAV's container,
// OpenCV's VideoCapture in MMAction2; one FFmpeg-based reader here).
#pragma once

#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

namespace tubelet {

class VideoReader {
 public:
  virtual ~VideoReader() = default;
  virtual int64_t num_frames() const = 0;
  virtual double fps() const = 0;
  // The frames at `indices` (any order, repeats allowed), H x W x 3 uint8 RGB, in the order
  // asked. Decodes only what those frames need. Throws std::runtime_error naming the file
  // and the index for an index out of range or a corrupt stream.
  virtual std::vector<cv::Mat> frames(const std::vector<int64_t>& indices) = 0;
  virtual const std::string& path() const = 0;
};

}  // namespace tubelet
