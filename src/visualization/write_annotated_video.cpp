// write_annotated_video: a whole video file re-encoded with the same lines on every frame
// (demo/demo.py's --out-filename, for `tubelet infer --out-file`).
#include <opencv2/imgproc.hpp>

#include "tubelet/data/frame_stream.h"
#include "tubelet/visualization/annotated_video_writer.h"

namespace tubelet {

void write_annotated_video(const std::string& input_video, const std::string& out_path,
                           const std::vector<std::string>& lines) {
  // Read front to back at the writer's pace: one frame in memory at a time.
  FrameStreamOptions options;
  options.live = false;
  FrameStream input(input_video, options);
  // demo.py's --fps default, for a container that states no frame rate.
  const double fps = input.fps() > 0 ? input.fps() : 30.0;
  AnnotatedVideoWriter writer(out_path, input.width(), input.height(), fps);
  StreamFrame frame;
  while (input.next(frame)) {
    // A stream that changes size midway keeps the first size.
    if (frame.rgb.cols != input.width() || frame.rgb.rows != input.height())
      cv::resize(frame.rgb, frame.rgb, cv::Size(input.width(), input.height()));
    writer.write(frame.rgb, lines);
  }
  writer.close();
}

}  // namespace tubelet
