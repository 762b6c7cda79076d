// tubelet stream CONFIG CHECKPOINT SOURCE [--window 32|2s] [--stride N|Ns] [--topk 5]
//                [--label-map FILE] [--json FILE|-] [--out-file annotated.mp4]
//                [--device cpu|cuda:0] [--cfg-options ...]
// MMAction2's demo/long_video_demo.py and demo/webcam_demo.py: the top-k classes of each
// window of a video file, a V4L2 camera (/dev/video0) or a network stream (rtsp://, http://,
// udp://, tcp://), one line per window with its time span and latency, optionally as JSON
// lines and as a video with the latest window's labels drawn on each frame. A live source
// that outruns the model loses its oldest frames, which the lines and the summary count.
// Ctrl-C ends a live source cleanly (the annotated video and the summary are still written).
#include <atomic>
#include <csignal>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "commands.h"
#include "tubelet/apis/recognizer.h"
#include "tubelet/apis/stream.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/fileio/model_cache.h"
#include "tubelet/plugin.h"
#include "tubelet/visualization/annotated_video_writer.h"

namespace tubelet::cli {

namespace {

struct StreamCommandOptions {
  std::string config, checkpoint, source, label_map, json, out_file, device, window, stride;
  int64_t topk = 5;
  double timeout = 5;
  int64_t queue = 16;
  int64_t max_windows = 0;  // 0: until the source ends
  std::vector<std::string> cfg_options;
  std::optional<int64_t> view_chunk;
};

std::string label_of(const std::vector<std::string>& labels, int64_t index) {
  return index < static_cast<int64_t>(labels.size()) ? labels[static_cast<size_t>(index)]
                                                     : std::to_string(index);
}

std::string fixed(double value, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << value;
  return out.str();
}

// "window 3 [1.60 s - 2.67 s] frames 48-79: label 0.91, ... (latency 35.2 ms)"
std::string window_line(const WindowResult& r, const std::vector<std::string>& labels) {
  std::string line = "window " + std::to_string(r.window) + " [" + fixed(r.start_time, 2) +
                     " s - " + fixed(r.end_time, 2) + " s] frames " +
                     std::to_string(r.first_frame) + "-" + std::to_string(r.last_frame) + ":";
  for (size_t i = 0; i < r.topk.size(); ++i)
    line += (i ? ", " : " ") + label_of(labels, r.topk[i].first) + " " + fixed(r.topk[i].second, 3);
  line += " (latency " + fixed(r.latency_ms, 1) + " ms";
  if (r.dropped > 0) line += ", " + std::to_string(r.dropped) + " frames dropped so far";
  return line + ")";
}

std::string window_json(const WindowResult& r, const std::vector<std::string>& labels) {
  Dict d;
  d.set("window", Value(r.window));
  d.set("start", Value(r.start_time));
  d.set("end", Value(r.end_time));
  d.set("first_frame", Value(r.first_frame));
  d.set("last_frame", Value(r.last_frame));
  List topk;
  for (const auto& [index, score] : r.topk) {
    Dict entry;
    entry.set("index", Value(index));
    entry.set("label", Value(label_of(labels, index)));
    entry.set("score", Value(score));
    topk.push_back(Value(std::move(entry)));
  }
  d.set("topk", Value::list(std::move(topk)));
  d.set("latency_ms", Value(r.latency_ms));
  d.set("dropped", Value(r.dropped));
  return to_json(Value(std::move(d)), -1);
}

// The lines drawn on a frame: long_video_demo.py's "label: score" (score to 2 places).
std::vector<std::string> drawn_lines(const WindowResult* r,
                                     const std::vector<std::string>& labels) {
  std::vector<std::string> lines;
  if (!r) return lines;
  for (const auto& [index, score] : r->topk)
    lines.push_back(label_of(labels, index) + ": " + fixed(score, 2));
  return lines;
}

// Set by Ctrl-C: the stream ends after the frame at hand. A second Ctrl-C kills as usual.
std::atomic<bool> stream_interrupted{false};
void on_stream_interrupt(int) {
  stream_interrupted = true;
  std::signal(SIGINT, SIG_DFL);
}

// Ctrl-C stops the stream while this lives.
struct SigintStops {
  SigintStops() {
    stream_interrupted = false;
    std::signal(SIGINT, on_stream_interrupt);
  }
  ~SigintStops() { std::signal(SIGINT, SIG_DFL); }
  SigintStops(const SigintStops&) = delete;
  SigintStops& operator=(const SigintStops&) = delete;
};

// Where the results go: the text lines to stdout (stderr when the JSON lines take stdout), the
// JSON lines, the annotated video. The JSON lines are written (and flushed) as the windows
// come, since a live source may never end; the video appears under its name once complete.
struct StreamOutputs {
  std::ostream* text = &std::cout;
  std::ostream* json = nullptr;
  std::ofstream json_file;
  std::unique_ptr<AnnotatedVideoWriter> writer;
  int width = 0, height = 0;

  StreamOutputs(const StreamCommandOptions& o, const FrameStream& source)
      : width(source.width()), height(source.height()) {
    if (o.json == "-") {
      text = &std::cerr;
      json = &std::cout;
    } else if (!o.json.empty()) {
      json_file.open(o.json);
      if (!json_file) throw std::runtime_error("cannot write --json " + o.json);
      json = &json_file;
    }
    if (!o.out_file.empty())
      writer = std::make_unique<AnnotatedVideoWriter>(o.out_file, width, height,
                                                      source.fps() > 0 ? source.fps() : 25.0);
  }

  void frame(const StreamFrame& f, const std::vector<std::string>& lines) {
    if (!writer) return;
    cv::Mat rgb = f.rgb;
    // A stream that changes size midway keeps the first size.
    if (rgb.cols != width || rgb.rows != height) cv::resize(rgb, rgb, cv::Size(width, height));
    writer->write(rgb, lines);
  }

  void finish(const std::string& json_name) {
    if (writer) writer->close();
    if (json_file.is_open() && !json_file.flush())
      throw std::runtime_error("cannot write --json " + json_name);
  }
};

std::string summary_line(const StreamSummary& s) {
  return "windows: " + std::to_string(s.windows) + " of " + std::to_string(s.window_frames) +
         " frames, stride " + std::to_string(s.stride_frames) + "; latency mean " +
         fixed(s.mean_latency_ms, 1) + " ms, max " + fixed(s.max_latency_ms, 1) +
         " ms; frames: " + std::to_string(s.frames) + " read, " + std::to_string(s.dropped) +
         " dropped";
}

void check_stream_options(const StreamCommandOptions& o) {
  if (o.topk < 1) throw std::invalid_argument("--topk must be at least 1");
  if (!(o.timeout > 0)) throw std::invalid_argument("--timeout must be positive");
  if (o.queue < 1) throw std::invalid_argument("--queue must be at least 1");
  if (o.max_windows < 0) throw std::invalid_argument("--max-windows must not be negative");
}

StreamOptions window_options(const StreamCommandOptions& o) {
  StreamOptions options;
  if (!o.window.empty()) options.window = StreamSpan::parse(o.window, "--window");
  if (!o.stride.empty()) options.stride = StreamSpan::parse(o.stride, "--stride");
  options.topk = o.topk;
  return options;
}

std::unique_ptr<FrameStream> open_stream_source(const StreamCommandOptions& o) {
  FrameStreamOptions options;
  options.timeout_s = o.timeout;
  options.queue_capacity = o.queue;
  auto source = std::make_unique<FrameStream>(o.source, options);
  std::cerr << "stream: " << frame_source_noun(source->kind()) << " '" << o.source << "', "
            << source->width() << "x" << source->height() << " at " << source->fps() << " fps"
            << (source->live() ? " (live)" : "") << "\n";
  return source;
}

// Windows of `source` through `recognizer` into `out`, until the source ends, Ctrl-C or
// --max-windows.
StreamSummary recognize_stream(const StreamCommandOptions& o, const Recognizer& recognizer,
                               const StreamOptions& options, FrameStream& source,
                               StreamOutputs& out) {
  const std::vector<std::string>& labels = recognizer.labels();
  int64_t windows = 0;
  auto on_window = [&](const WindowResult& r) {
    ++windows;
    *out.text << window_line(r, labels) << std::endl;
    if (out.json) *out.json << window_json(r, labels) << std::endl;
  };
  auto on_frame = [&](const StreamFrame& f, const WindowResult* latest) {
    out.frame(f, drawn_lines(latest, labels));
  };
  auto stop = [&] {
    return stream_interrupted.load() || (o.max_windows > 0 && windows >= o.max_windows);
  };
  SigintStops sigint;
  return recognizer.stream(source, options, on_window, on_frame, stop);
}

void run_stream(const StreamCommandOptions& o) {
  check_stream_options(o);
  const StreamOptions options = window_options(o);
  // A file is opened first, so that a wrong name fails before the model loads; a live
  // source once the model is ready, as it is read (and may drop frames) from then on.
  std::unique_ptr<FrameStream> source;
  if (classify_frame_source(o.source) == FrameSourceKind::kFile) source = open_stream_source(o);
  RecognizerOptions model_options;
  model_options.device = o.device;
  model_options.cfg_options = o.cfg_options;
  model_options.view_chunk = o.view_chunk;
  model_options.label_map = o.label_map;
  const Recognizer recognizer(o.config, o.checkpoint, model_options);
  if (!source) source = open_stream_source(o);
  StreamOutputs out(o, *source);
  const StreamSummary summary = recognize_stream(o, recognizer, options, *source, out);
  if (source->ended_silent())
    std::cerr << "stream: no data for " << o.timeout << " s: taken as the end of the stream\n";
  out.finish(o.json);
  *out.text << summary_line(summary) << std::endl;
}

}  // namespace

void add_stream(CLI::App& app) {
  auto o = std::make_shared<StreamCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "stream", "Top-k classes of each window of a video, camera or network stream");
  cmd->add_option("config", o->config, "Config file")->required();
  cmd->add_option("checkpoint", o->checkpoint, "Checkpoint (.pth)")->required();
  cmd->add_option("source", o->source,
                  "Video file, V4L2 camera (/dev/video0) or stream URL (rtsp://, http://, "
                  "udp://, tcp://)")
      ->required();
  cmd->add_option("--window", o->window,
                  "Window length in frames (32) or seconds (2s) (default: clip_len x num_clips "
                  "of the test pipeline's SampleFrames)");
  cmd->add_option("--stride", o->stride,
                  "From one window's start to the next one's, in frames or seconds (default: "
                  "the window)");
  cmd->add_option("--topk", o->topk, "Classes per window (default 5)");
  cmd->add_option("--label-map", o->label_map, "One class name per line");
  cmd->add_option("--json", o->json, "Write one JSON object per window to FILE ('-': stdout)");
  cmd->add_option("--out-file", o->out_file,
                  "Write the video with the latest window's labels on each frame (.mp4, .mkv)");
  cmd->add_option("--device", o->device,
                  "cpu, cuda or cuda:N (default: the config's device, else cpu)");
  cmd->add_option("--timeout", o->timeout,
                  "Seconds a live source may stay silent before it fails (default 5)");
  cmd->add_option("--queue", o->queue,
                  "Frames a live source may hold for the model before dropping the oldest "
                  "(default 16)");
  cmd->add_option("--max-windows", o->max_windows, "Stop after this many windows (default: none)");
  cmd->add_option("--view-chunk", o->view_chunk,
                  "Views (clips x crops) per backbone pass when test_cfg has no "
                  "max_testing_views; 0: all at once");
  cmd->add_option("--cfg-options", o->cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->add_flag_callback(
      "--offline", [] { set_offline(true); },
      "Download nothing: URL and model-zoo checkpoints must be in the cache (TUBELET_OFFLINE=1)");
  cmd->callback([o] { run_stream(*o); });
}

}  // namespace tubelet::cli
