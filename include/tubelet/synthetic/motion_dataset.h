// A synthetic action dataset whose classes are motions: one object moving left/right/up/down,
// rotating clockwise/anticlockwise, growing/shrinking, blinking or standing still, over a
// cluttered, slowly drifting background. Within each order-dependent pair, one class is the
// other played backwards (same sampled parameters, time reversed), so both classes have the
// same distribution of frame sets: a frame-averaging model (TSN) cannot tell them apart, a
// temporal one (TSM) can. Everything is a pure function of (seed, video index).
#pragma once

#include <torch/arg.h>

#include <opencv2/core.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tubelet::synthetic {

// Class names in label order (label_map.txt): the order-dependent pairs first.
const std::vector<std::string>& motion_class_names();
// The label whose clips are this label's clips reversed in time; -1 for blinking/static.
int reversed_partner(int label);

// Object outlines; none has a rotational symmetry, so a rotation is visible in any frame pair.
enum class Shape { kPacman, kArrowhead, kHalfDisk, kLShape };

// Everything needed to render one clip (positions in pixels, angles in radians, image
// coordinates: x right, y down, so an increasing angle turns clockwise on screen).
struct ClipSpec {
  int label = 0;
  int size = 64;          // frames are size x size
  int frames = 32;        // clip length
  bool reversed = false;  // rendered with time running backwards (second class of a pair)
  Shape shape = Shape::kPacman;
  cv::Vec3b color;         // object colour (RGB)
  cv::Point2d start, end;  // object reference point at the first/last (forward) frame
  double radius_start = 8, radius_end = 8;
  double angle_start = 0, angle_end = 0;
  int blink_half_period = 0;  // > 0: visible for this many frames, hidden as many, ...
  int blink_phase = 0;
  uint64_t background_seed = 0;  // clutter, gradient and noise of the background
  cv::Point2d drift;             // background shift over the whole clip
};

// The clip of video `index` with label `label`. The two labels of a pair draw the same
// parameters from the same (seed, index); only `reversed` differs.
ClipSpec sample_clip(int label, uint64_t seed, int64_t index, int size = 64, int frames = 32);

// Frame t (0-based) as an RGB uint8 size x size image; with draw_object false, the background
// alone (tests find the object as the pixels that differ).
cv::Mat render_frame(const ClipSpec& spec, int t, bool draw_object = true);
std::vector<cv::Mat> render_clip(const ClipSpec& spec);

struct MotionDatasetOptions {
  TORCH_ARG(int64_t, videos) = 300;
  TORCH_ARG(uint64_t, seed) = 0;
  TORCH_ARG(int, size) = 64;
  TORCH_ARG(int, frames) = 32;
  TORCH_ARG(int, fps) = 25;
  // Fraction of each class's videos listed in val_list.txt (at least one each).
  TORCH_ARG(double, val_ratio) = 0.2;
  TORCH_ARG(bool, rawframes) = false;
  // Parallel encodes; 0: one per core.
  TORCH_ARG(int, jobs) = 0;
  // The ffmpeg executable; empty: `ffmpeg` found on PATH.
  TORCH_ARG(std::string, ffmpeg);
  // Called after each finished video with (done, total), from one thread at a time.
  TORCH_ARG(std::function<void(int64_t, int64_t)>, progress);

 public:
  // The video of this index: label index % classes; the last videos of each class go to val.
  int label_of(int64_t index) const;
  bool is_val(int64_t index) const;
};

// What make_motion_dataset wrote (paths relative to the output directory).
struct MotionDatasetSummary {
  std::string encoder;  // libx264 or mpeg4
  int64_t train_videos = 0, val_videos = 0;
};

// Writes OUT/videos/video_00000.mp4 ..., OUT/train_list.txt and OUT/val_list.txt
// (VideoDataset lines "video_00000.mp4 label"), OUT/label_map.txt and, with rawframes,
// OUT/rawframes/video_00000/img_00001.jpg ... with OUT/train_list_rawframes.txt and
// OUT/val_list_rawframes.txt (RawframeDataset lines "video_00000 32 label"). Every file
// appears under its final name only once complete.
MotionDatasetSummary make_motion_dataset(const std::filesystem::path& out,
                                         const MotionDatasetOptions& options);

// The ffmpeg executable to run (options.ffmpeg, else ffmpeg on PATH); empty when missing.
std::string find_executable(const std::string& name);

// Encodes RGB frames (all the same even size) into an mp4 with `encoder` at `fps`:
// deterministic (one thread, bitexact). Writes `path` atomically; throws with ffmpeg's
// message on failure.
void encode_mp4(const std::vector<cv::Mat>& rgb_frames, const std::filesystem::path& path,
                const std::string& ffmpeg, const std::string& encoder, int fps);

// Encodes clips (all the same length and size) into one mp4 each with a single ffmpeg run
// (starting ffmpeg costs more than encoding a small clip). Each file starts on a key frame;
// the encoder's rate control sees across clips, so a file's bytes depend on its batch.
void encode_mp4s(const std::vector<std::vector<cv::Mat>>& clips,
                 const std::vector<std::filesystem::path>& paths, const std::string& ffmpeg,
                 const std::string& encoder, int fps);

// "libx264" when this ffmpeg has it, else "mpeg4".
std::string pick_encoder(const std::string& ffmpeg);

}  // namespace tubelet::synthetic
