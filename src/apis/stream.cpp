// StreamRecognizer: windows over a frame source, each through the predictor.
#include "tubelet/apis/stream.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <sstream>
#include <stdexcept>

namespace tubelet {

namespace {

std::string describe_source(const FrameStream& source) {
  return std::string(frame_source_noun(source.kind())) + " '" + source.source() + "'";
}

std::string seconds_of(double s) {
  std::ostringstream out;
  out.precision(4);
  out << s;
  return out.str();
}

// How long one frame lasts: from the frame rate, else from the window's own timestamps.
double frame_duration(const FrameStream& source, const std::deque<StreamFrame>& held) {
  if (source.fps() > 0) return 1.0 / source.fps();
  if (held.size() < 2) return 0;
  return (held.back().time - held.front().time) / static_cast<double>(held.size() - 1);
}

// The source ended before its first window was complete.
[[noreturn]] void too_short(const FrameStream& source, int64_t window, const StreamSpan& span,
                            int64_t frames, double seconds) {
  std::string length = std::to_string(window) + " frames";
  if (span.in_seconds) length += " (" + span.str() + ")";
  const std::string has = std::to_string(frames) + " frames, " + seconds_of(seconds) + " s";
  if (source.live())
    throw std::runtime_error(describe_source(source) + " ended after " + has +
                             ", before the first window of " + length + " was complete");
  throw std::runtime_error("the window of " + length + " is longer than " +
                           describe_source(source) + " (" + has + "): give a shorter --window");
}

// One window through the predictor, timed.
WindowResult recognize_window(const WindowPredictor& predictor, const std::deque<StreamFrame>& held,
                              const FrameStream& source, int64_t topk) {
  std::vector<cv::Mat> frames;
  for (const StreamFrame& f : held) frames.push_back(f.rgb);
  WindowResult result;
  // Counted when the window is complete: the frames lost before and within it.
  result.dropped = source.dropped();
  const auto start = std::chrono::steady_clock::now();
  const torch::Tensor scores = predictor(frames);
  result.topk = top_k(scores, topk);
  result.latency_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  result.first_frame = held.front().index;
  result.last_frame = held.back().index;
  result.start_time = held.front().time;
  result.end_time = held.back().time + frame_duration(source, held);
  return result;
}

// Moves on to the next window, `stride` frames after the start of this one: drops what it
// does not share with this one. Returns how many frames to pass over before it starts.
int64_t advance_window(std::deque<StreamFrame>& held, int64_t window, int64_t stride) {
  if (stride >= window) {
    held.clear();
    return stride - window;
  }
  held.erase(held.begin(), held.begin() + stride);
  return 0;
}

}  // namespace

StreamRecognizer::StreamRecognizer(WindowPredictor predictor, int64_t default_window,
                                   StreamOptions options)
    : predictor_(std::move(predictor)),
      default_window_(default_window),
      options_(std::move(options)) {
  if (!predictor_) throw std::invalid_argument("StreamRecognizer: no predictor");
  if (options_.topk < 1)
    throw std::invalid_argument("topk must be at least 1, got " + std::to_string(options_.topk));
}

StreamSummary StreamRecognizer::run(FrameStream& source, const WindowCallback& on_window,
                                    const FrameCallback& on_frame,
                                    const std::function<bool()>& stop) {
  const std::string name = describe_source(source);
  const StreamSpan window_span = options_.window.value_or(StreamSpan::of_frames(default_window_));
  StreamSummary summary;
  summary.window_frames = window_span.frames(source.fps(), "the window", name);
  summary.stride_frames = options_.stride
                              ? options_.stride->frames(source.fps(), "the stride", name)
                              : summary.window_frames;
  const auto window = static_cast<size_t>(summary.window_frames);

  std::deque<StreamFrame> held;  // the current window's frames, oldest first
  int64_t skip = 0;              // frames to pass over before the next window starts
  std::optional<WindowResult> latest;
  double latency_sum = 0;
  double last_time = 0;
  bool stopped = false;
  StreamFrame frame;
  while (true) {
    if (stop && stop()) {
      stopped = true;
      break;
    }
    if (!source.next(frame)) break;
    ++summary.frames;
    last_time = frame.time;
    if (skip > 0) {
      --skip;
    } else {
      held.push_back(frame);
      summary.max_held_frames =
          std::max(summary.max_held_frames, static_cast<int64_t>(held.size()));
    }
    if (held.size() == window) {
      WindowResult result = recognize_window(predictor_, held, source, options_.topk);
      result.window = summary.windows++;
      latency_sum += result.latency_ms;
      summary.max_latency_ms = std::max(summary.max_latency_ms, result.latency_ms);
      latest = std::move(result);
      if (on_window) on_window(*latest);
      skip = advance_window(held, summary.window_frames, summary.stride_frames);
    }
    if (on_frame) on_frame(frame, latest ? &*latest : nullptr);
  }
  summary.dropped = source.dropped();
  if (summary.windows > 0) summary.mean_latency_ms = latency_sum / summary.windows;
  if (summary.windows == 0 && !stopped) {
    const double seconds =
        source.fps() > 0 ? summary.frames / source.fps() : (summary.frames > 0 ? last_time : 0);
    too_short(source, summary.window_frames, window_span, summary.frames, seconds);
  }
  return summary;
}

}  // namespace tubelet
