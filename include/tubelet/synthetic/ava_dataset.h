// A synthetic spatio-temporal action detection dataset in AVA's format (what MMAction2's
// AVADataset and its configs read): short rawframe "videos" at 30 fps over a cluttered
// background, each with one to three people-like figures (a body and a head) whose actions are
// visible in their motion or appearance: walking (moving sideways), blinking (the body's
// brightness alternating every few frames) or standing (still), each possibly also carrying (a
// bright bag on the body), so a box can hold two labels as AVA's multi-label boxes do.
// Annotations are AVA's CSVs (video_id, timestamp, x1, y1, x2, y2 relative, action_id,
// entity_id) at one timestamp per second, with a label map in AVA's pbtxt format, exclude files
// and person proposal pickles (the ground truth jittered plus distractors, with scores).
// Everything is a pure function of (seed, video index).
#pragma once

#include <torch/arg.h>

#include <opencv2/core.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tubelet::synthetic {

// Action names; action ids are 1-based (AVA's convention: names[i] has id i + 1).
const std::vector<std::string>& ava_action_names();
// The ids of ava_action_names().
enum AvaAction { kAvaWalk = 1, kAvaBlink = 2, kAvaStand = 3, kAvaCarry = 4 };

struct AvaPerson {
  int entity_id = 0;
  int motion = kAvaStand;          // kAvaWalk, kAvaBlink or kAvaStand
  bool carry = false;              // also kAvaCarry
  cv::Vec3b color;                 // body colour (RGB)
  double width = 10, height = 30;  // pixels, head included
  double x0 = 0, y = 0;            // left and top at frame 0
  double speed = 0;                // walking: pixels per frame (signed), bouncing off the edges
  int blink_half_period = 0;       // blinking: frames bright, then as many dark
  int blink_phase = 0;
  // Action ids of this person, ascending.
  std::vector<int> actions() const;
};

struct AvaVideoSpec {
  std::string video_id;
  int width = 128, height = 96, frames = 240;
  uint64_t background_seed = 0;
  std::vector<AvaPerson> people;
};

// The video of index `index`: frames are height = size, width = size * 4 / 3 (even),
// seconds * 30 frames.
AvaVideoSpec sample_ava_video(uint64_t seed, int64_t index, int size = 96, int seconds = 8);
// The person's box [x1, y1, x2, y2] in pixels at frame t (0-based), inside the frame.
std::array<double, 4> ava_person_box(const AvaVideoSpec& video, const AvaPerson& person, int t);
// Frame t (0-based) as an RGB uint8 image.
cv::Mat render_ava_frame(const AvaVideoSpec& video, int t);

struct AvaDatasetOptions {
  TORCH_ARG(int64_t, videos) = 24;
  TORCH_ARG(uint64_t, seed) = 0;
  // Frame height (width is size * 4 / 3).
  TORCH_ARG(int, size) = 96;
  // Video length; annotated timestamps are timestamp_start + 2 ... timestamp_start + seconds - 1.
  TORCH_ARG(int, seconds) = 8;
  // Fraction of the videos (the last ones; at least one) in the val files.
  TORCH_ARG(double, val_ratio) = 0.25;
  // AVA's clips start at 900 s: the first frame is that second.
  TORCH_ARG(int64_t, timestamp_start) = 900;
  // Called after each video with (done, total).
  TORCH_ARG(std::function<void(int64_t, int64_t)>, progress);

 public:
  static constexpr int kFps = 30;
  bool is_val(int64_t index) const;
  // The annotated timestamps of every video.
  std::vector<int64_t> timestamps() const;
};

struct AvaDatasetSummary {
  int64_t train_videos = 0, val_videos = 0;
  int64_t train_boxes = 0, val_boxes = 0;  // person boxes over all timestamps
};

// Writes OUT/rawframes/<video_id>/img_00001.jpg ... and OUT/annotations/: ava_train.csv,
// ava_val.csv, ava_train_excluded_timestamps.csv, ava_val_excluded_timestamps.csv (empty),
// ava_action_list.pbtxt, ava_proposals_train.pkl and ava_proposals_val.pkl (dicts
// 'video_id,%04d' -> numpy float32 [n, 5]: x1, y1, x2, y2 relative, score), each file atomically.
AvaDatasetSummary make_ava_dataset(const std::filesystem::path& out,
                                   const AvaDatasetOptions& options);

}  // namespace tubelet::synthetic
