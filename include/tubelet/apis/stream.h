// Sliding-window recognition over a frame source: MMAction2's demo/long_video_demo.py (a long
// video, one prediction per window) and demo/webcam_demo.py (a live camera), for files,
// cameras and network streams (data/frame_stream.h). `tubelet stream` runs it.
//
// Each window's frames go through the config's test pipeline as those demos send them: the
// decode steps and the *SampleFrames step are taken out, and the frames come in as `imgs`
// with the SampleFrames' clip_len and num_clips, `img_shape` of the frames, modality 'RGB'
// and label -1. The demos' window is clip_len x num_clips frames; a window of another length
// is subsampled to that many frames, evenly spread over it.
//
// The model is reached through a WindowPredictor, so that other callers (the C++ API's
// Recognizer, tests) can put their own in; model_window_predictor() is the one over a loaded
// model. Memory stays bounded: only the current window's frames are held, besides the
// source's own queue.
// Needs TUBELET_WITH_MEDIA: it runs a pipeline on decoded frames.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tubelet/apis/inference.h"
#include "tubelet/config/value.h"
#include "tubelet/data/frame_stream.h"
#include "tubelet/data/sample.h"
#include "tubelet/data/transform.h"

namespace tubelet {

// A window or stride length, in frames ("32") or in seconds ("2s", "0.5s").
struct StreamSpan {
  double value = 0;
  bool in_seconds = false;

  // Parses `text`; `what` ("--window") names it in errors. Zero, negative, fractional frame
  // counts and anything malformed are std::invalid_argument.
  static StreamSpan parse(const std::string& text, const std::string& what);
  static StreamSpan of_frames(int64_t frames) { return {static_cast<double>(frames), false}; }
  // The length in frames of a source at `fps` (seconds rounded to the nearest frame). Throws
  // naming `what` and `source` when the source has no frame rate or the span is under a frame.
  int64_t frames(double fps, const std::string& what, const std::string& source) const;
  // As it was written: "32" or "2s".
  std::string str() const;
};

// The config's data.test.pipeline made into the demos' window pipeline.
class WindowPipeline {
 public:
  // Throws ConfigError when the config has no data.test.pipeline or no *SampleFrames step.
  explicit WindowPipeline(const Dict& cfg);
  // Frames the model takes per window: clip_len x num_clips of the SampleFrames step.
  int64_t sample_length() const { return clip_len_ * num_clips_; }
  int64_t clip_len() const { return clip_len_; }
  int64_t num_clips() const { return num_clips_; }
  // The pipeline's output for a window's RGB frames (oldest first), subsampled evenly to
  // sample_length() when there are more or fewer.
  Sample operator()(const std::vector<cv::Mat>& frames) const;

 private:
  Compose compose_;
  int64_t clip_len_ = 1;
  int64_t num_clips_ = 1;
};

// Class scores ([num_classes], on the CPU) of one window's RGB frames, oldest first.
using WindowPredictor = std::function<torch::Tensor(const std::vector<cv::Mat>& frames)>;

// Scores of one sample that went through a test pipeline: collated as a batch of one and run
// through inference_scores (apis/inference.h: on the model's device, under InferenceMode, the
// views in chunks, one forward at a time per model). `model` is a recognizer.
torch::Tensor predict_pipeline_sample(torch::nn::Module& model, Sample sample,
                                      const InferenceOptions& options = {});

// The default predictor: WindowPipeline(cfg) and then predict_pipeline_sample on `model`
// (which it keeps alive). Several streams may share the model: their forwards take turns.
WindowPredictor model_window_predictor(std::shared_ptr<torch::nn::Module> model, const Dict& cfg,
                                       const InferenceOptions& options = {});

struct StreamOptions {
  // Window length; none: the pipeline's sample_length (the demos' window).
  std::optional<StreamSpan> window;
  // Frames from one window's start to the next one's; none: the window (no overlap). A
  // stride above the window skips the frames between windows.
  std::optional<StreamSpan> stride;
  int64_t topk = 5;
};

struct WindowResult {
  int64_t window = 0;  // 0, 1, ...
  // Source indices of the window's first and last frame (inclusive). On a live source that
  // dropped frames, the window holds fewer than last - first + 1 of them.
  int64_t first_frame = 0;
  int64_t last_frame = 0;
  // Seconds: the first frame's time, and the last frame's time plus one frame.
  double start_time = 0;
  double end_time = 0;
  std::vector<std::pair<int64_t, double>> topk;  // (class index, score), best first
  double latency_ms = 0;                         // the predictor's time on this window
  int64_t dropped = 0;  // frames the source dropped before this window was complete
};

struct StreamSummary {
  int64_t windows = 0;
  int64_t frames = 0;   // frames the recognizer received
  int64_t dropped = 0;  // frames the source dropped
  double mean_latency_ms = 0;
  double max_latency_ms = 0;
  int64_t window_frames = 0;  // the window and stride in frames, as resolved for the source
  int64_t stride_frames = 0;
  int64_t max_held_frames = 0;  // the most frames held for a window at once
};

class StreamRecognizer {
 public:
  // `default_window`: the window in frames when options.window is unset (a WindowPipeline's
  // sample_length()). Throws std::invalid_argument for a topk below 1.
  StreamRecognizer(WindowPredictor predictor, int64_t default_window, StreamOptions options = {});

  using WindowCallback = std::function<void(const WindowResult&)>;
  // Each frame after any window it completes, with the latest window (nullptr before the first).
  using FrameCallback = std::function<void(const StreamFrame&, const WindowResult*)>;

  // Recognizes windows of `source` until it ends or `stop` returns true (asked once a frame).
  // Throws std::invalid_argument for a window or stride in seconds on a source without a frame
  // rate, and std::runtime_error naming the source when it ends before the first window
  // ("the window of 64 frames is longer than file 'x.mp4' (50 frames, 2 s)").
  StreamSummary run(FrameStream& source, const WindowCallback& on_window = {},
                    const FrameCallback& on_frame = {}, const std::function<bool()>& stop = {});

 private:
  WindowPredictor predictor_;
  int64_t default_window_;
  StreamOptions options_;
};

}  // namespace tubelet
