// A video with label lines drawn on its frames: what MMAction2's demo/demo.py --out-filename
// writes (there with moviepy), and `tubelet stream --out-file` (long_video_demo.py's output
// video). The text is drawn with OpenCV as demo.py draws it (FONT_HERSHEY_DUPLEX, scale 0.5,
// white, thickness 1, 10 px from the top-left corner, one line under the other); the frames
// are encoded with FFmpeg's libraries: H.264 (libx264) when this FFmpeg has that encoder and
// the container takes it, else MPEG-4 part 2. No audio track.
//
// The file appears under its name only once it is complete: frames go to a temporary file
// beside it, which close() renames over the target (a failure or a destructor without close()
// removes it and leaves an old target as it was).
// Needs TUBELET_WITH_MEDIA: OpenCV and FFmpeg.
#pragma once

#include <memory>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

namespace tubelet {

// demo.py's get_output() defaults.
struct LabelStyle {
  double font_scale = 0.5;
  int padding = 10;
  int thickness = 1;
  cv::Scalar color{255, 255, 255};  // in the frame's channel order (white either way)
};

// Draws `lines` on `rgb` in place, the first one where demo.py puts its label.
void draw_label_lines(cv::Mat& rgb, const std::vector<std::string>& lines,
                      const LabelStyle& style = {});

class AnnotatedVideoWriter {
 public:
  // Opens `path` for frames of `width` x `height` at `fps`; the container comes from the
  // extension (.mp4, .mkv, .avi, ...). Throws std::runtime_error naming `path` when the
  // extension names no container, no encoder is found, or the folder is not writable.
  AnnotatedVideoWriter(const std::string& path, int width, int height, double fps,
                       const LabelStyle& style = {});
  ~AnnotatedVideoWriter();
  AnnotatedVideoWriter(const AnnotatedVideoWriter&) = delete;
  AnnotatedVideoWriter& operator=(const AnnotatedVideoWriter&) = delete;

  // Encodes a copy of `rgb` (H x W x 3 uint8 RGB, the size given above) with `lines` drawn on
  // it; `rgb` itself is left as it was.
  void write(const cv::Mat& rgb, const std::vector<std::string>& lines);
  // Flushes the encoder, finishes the file and renames it to its name.
  void close();

  const std::string& path() const;
  // The encoder used: "libx264", "mpeg4", ...
  std::string codec_name() const;
  int64_t frames_written() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Re-encodes the video file `input_video` into `out_path` with `lines` drawn on every frame,
// at the input's frame rate and size (what `tubelet infer --out-file` writes). The audio is
// not kept.
void write_annotated_video(const std::string& input_video, const std::string& out_path,
                           const std::vector<std::string>& lines);

}  // namespace tubelet
