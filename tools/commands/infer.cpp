// tubelet infer CONFIG CHECKPOINT INPUT... [--list FILE] [--json FILE|-] [--out-file OUT.mp4]
//                [--label-map FILE] [--topk 5] [--device cpu|cuda|cuda:N] [--view-chunk N]
//                [--no-fuse-conv-bn]
// MMAction2's demo/demo.py: the top-k labels of a video with their scores; and of many videos
// in one process (files, folders of videos, globs, a list file), the model loaded once. The
// model is loaded and run as apis/recognizer.h does: as MMAction2's init_recognizer builds it
// (backbone.pretrained=None), batch norms folded into the convs, 2D convs in channels-last on
// the CPU, views in chunks, under InferenceMode, with a malloc that keeps freed activations
// for the next chunk.
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>

#include "commands.h"
#include "infer_inputs.h"
#include "tubelet/apis/recognizer.h"
#include "tubelet/config/dump.h"
#include "tubelet/fileio/model_cache.h"
#include "tubelet/progress_bar.h"
#include "tubelet/visualization/annotated_video_writer.h"

namespace tubelet::cli {

namespace {

struct InferOptions {
  std::string config, checkpoint, list, json, out_file;
  std::vector<std::string> inputs;
  RecognizerOptions recognizer;
  bool no_fuse_conv_bn = false;
};

// demo.py's lines: "The top-5 labels with corresponding scores are:", then "label: score".
void print_text(const Prediction& p, int64_t topk) {
  std::cout << "The top-" << topk << " labels with corresponding scores are:\n";
  for (const ClassScore& c : p.topk) std::cout << c.label << ": " << c.score << "\n";
}

// One JSON line per input: {"input": ..., "topk": [{"index", "label", "score"}, ...]}, the
// label null without a label map; or {"input": ..., "error": ...}.
std::string json_line(const std::string& input, const Prediction* p, const std::string& error,
                      const Recognizer& recognizer) {
  Dict line;
  line.set("input", Value(input));
  if (!p) {
    line.set("error", Value(error));
    return to_json(Value(std::move(line)), -1);
  }
  List topk;
  for (const ClassScore& c : p->topk) {
    Dict entry;
    entry.set("index", Value(c.index));
    const bool named = c.index < static_cast<int64_t>(recognizer.labels().size());
    entry.set("label", named ? Value(c.label) : Value());
    entry.set("score", Value(c.score));
    topk.emplace_back(std::move(entry));
  }
  line.set("topk", Value::list(std::move(topk)));
  return to_json(Value(std::move(line)), -1);
}

// Where results go: text on stdout (unless the JSON lines go there), JSON lines to --json.
class InferOutput {
 public:
  InferOutput(const std::string& json_path, int64_t topk, bool several)
      : topk_(topk), several_(several) {
    if (json_path.empty() || json_path == "-") {
      json_ = json_path.empty() ? nullptr : &std::cout;
      return;
    }
    file_.open(json_path);
    if (!file_) throw std::runtime_error("cannot write --json file '" + json_path + "'");
    json_ = &file_;
  }

  void result(const std::string& input, const Prediction& p, const Recognizer& recognizer) {
    if (json_) *json_ << json_line(input, &p, "", recognizer) << std::endl;
    if (json_ == &std::cout) return;
    if (several_) std::cout << input << ":\n";
    print_text(p, topk_);
  }
  void failure(const std::string& input, const std::string& error, const Recognizer& recognizer) {
    if (json_) *json_ << json_line(input, nullptr, error, recognizer) << std::endl;
  }

 private:
  int64_t topk_;
  bool several_;
  std::ofstream file_;
  std::ostream* json_ = nullptr;
};

// Runs every input, the pipeline of the next one on a worker thread while the model runs on
// this one (on this thread: LibTorch's intra-op threads and the allocator's main heap serve
// it as they serve a single video). Returns the inputs that failed.
std::vector<std::string> infer_all(const Recognizer& recognizer,
                                   const std::vector<std::string>& inputs, InferOutput& output) {
  auto prepare = [&recognizer](const std::string& input) {
    return std::async(std::launch::async,
                      [&recognizer, input] { return recognizer.prepare(input); });
  };
  ProgressBar bar(static_cast<int64_t>(inputs.size()), std::cerr);
  std::vector<std::string> failed;
  std::future<PreparedInput> next = prepare(inputs.front());
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::future<PreparedInput> current = std::move(next);
    if (i + 1 < inputs.size()) next = prepare(inputs[i + 1]);
    try {
      output.result(inputs[i], recognizer.predict(current.get()), recognizer);
    } catch (const std::exception& e) {
      // On a line of its own: the bar redraws its line in place.
      std::cerr << "\nerror: " << e.what() << "\n";
      output.failure(inputs[i], e.what(), recognizer);
      failed.push_back(inputs[i]);
    }
    bar.update();
  }
  bar.finish();
  return failed;
}

// demo.py's --out-filename: the video with the result drawn on every frame; here the top-k
// "label: score" lines (demo.py draws the top-1 label alone), one under another.
void write_out_file(const std::string& input, const std::string& out_file, const Prediction& p) {
  std::vector<std::string> lines;
  for (const ClassScore& c : p.topk) {
    char score[32];
    std::snprintf(score, sizeof score, "%.2f", c.score);
    lines.push_back(c.label + ": " + score);
  }
  write_annotated_video(input, out_file, lines);
  std::cerr << "wrote " << out_file << "\n";
}

void infer(InferOptions& o) {
  const std::vector<std::string> inputs = expand_infer_inputs(o.inputs, o.list);
  if (inputs.empty())
    throw std::invalid_argument(o.list.empty() ? "no input: give a video, a folder or a glob"
                                               : "no input: '" + o.list + "' lists no path");
  if (!o.out_file.empty() && inputs.size() != 1)
    throw std::invalid_argument("--out-file takes one input video, got " +
                                std::to_string(inputs.size()) + " inputs");
  // Before the model loads: an unwritable --json file fails at once.
  InferOutput output(o.json, o.recognizer.topk, inputs.size() > 1);
  o.recognizer.fuse_conv_bn = !o.no_fuse_conv_bn;
  const Recognizer recognizer(o.config, o.checkpoint, o.recognizer);
  if (inputs.size() == 1) {
    // One video on this thread alone, as demo.py; its error is the command's.
    Prediction prediction;
    try {
      prediction = recognizer.predict(inputs[0]);
      output.result(inputs[0], prediction, recognizer);
    } catch (const std::exception& e) {
      output.failure(inputs[0], e.what(), recognizer);
      throw;
    }
    if (!o.out_file.empty()) write_out_file(inputs[0], o.out_file, prediction);
    return;
  }
  const std::vector<std::string> failed = infer_all(recognizer, inputs, output);
  if (!failed.empty())
    throw std::runtime_error(std::to_string(failed.size()) + " of " +
                             std::to_string(inputs.size()) +
                             " inputs failed (first: " + failed.front() + ")");
}

}  // namespace

void add_infer(CLI::App& app) {
  auto o = std::make_shared<InferOptions>();
  CLI::App* cmd = app.add_subcommand(
      "infer", "Top-k classes of videos (MMAction2's demo), the model loaded once for all");
  cmd->add_option("config", o->config, "Config file")->required();
  cmd->add_option("checkpoint", o->checkpoint, "Checkpoint (.pth, URL or model-zoo name)")
      ->required();
  cmd->add_option("inputs", o->inputs,
                  "Video files, rawframe folders, folders of videos, or quoted globs "
                  "('videos/*.mp4')");
  cmd->add_option("--list", o->list, "A file of inputs, one path per line");
  cmd->add_option("--json", o->json,
                  "Write the results as JSON lines (one object per input) to this file; - for "
                  "stdout");
  cmd->add_option("--out-file", o->out_file,
                  "Write the video with the top-k labels drawn on it (.mp4, .mkv; one input)");
  cmd->add_option("--label-map", o->recognizer.label_map, "One class name per line");
  cmd->add_option("--topk", o->recognizer.topk, "How many classes to print (default 5)");
  cmd->add_option("--device", o->recognizer.device,
                  "cpu, cuda or cuda:N (default: the config's device, else cpu)");
  cmd->add_option("--view-chunk", o->recognizer.view_chunk,
                  "Views (clips x crops) per backbone pass when test_cfg has no "
                  "max_testing_views; 0: all at once (default: as many as fit in ~128 MiB)");
  cmd->add_flag("--no-fuse-conv-bn", o->no_fuse_conv_bn,
                "Keep batch norms as separate layers (default: folded into the convs before "
                "them, as MMAction2's test.py --fuse-conv-bn)");
  cmd->add_option("--cfg-options", o->recognizer.cfg_options, "Override settings, e.g. a.b=1")
      ->expected(0, -1);
  cmd->add_flag_callback(
      "--offline", [] { set_offline(true); },
      "Download nothing: URL and model-zoo checkpoints must be in the cache (TUBELET_OFFLINE=1)");
  cmd->callback([o] { infer(*o); });
}

}  // namespace tubelet::cli
