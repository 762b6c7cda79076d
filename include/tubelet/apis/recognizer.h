// A recognizer loaded once for inference, as MMAction2's init_recognizer loads one, that then
// predicts the classes of any number of videos (inference_recognizer), from any number of
// threads at once:
//
//   tubelet::Recognizer recognizer("tsn_config.py", "tsn.pth");
//   tubelet::Prediction p = recognizer.predict("demo.mp4");
//   for (const auto& c : p.topk) std::cout << c.label << ": " << c.score << "\n";
//
// Needs TUBELET_WITH_MEDIA (decoding and the data pipeline).
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tubelet/apis/stream.h"
#include "tubelet/config/value.h"
#include "tubelet/data/batch.h"

namespace tubelet {

struct RecognizerOptions {
  // "cpu", "cuda" or "cuda:N"; empty: the config's `device`, else the CPU.
  std::string device;
  // Overrides applied to the config after loading it, as --cfg-options ("a.b=1").
  std::vector<std::string> cfg_options;
  // Views (clips x crops) per backbone pass when the model's test_cfg has no
  // max_testing_views: none picks one that bounds a pass's memory (~128 MiB of activations);
  // 0 runs all views at once, as MMAction2 does. Scores are the same either way.
  std::optional<int64_t> view_chunk;
  // Fold each batch norm into the convolution before it (MMAction2's --fuse-conv-bn).
  bool fuse_conv_bn = true;
  // A label map, one class name per line (line i names class i); empty: no names.
  std::string label_map;
  // How many classes Prediction::topk lists (all of them when larger than the count).
  int64_t topk = 5;
  // Make this process's malloc keep freed blocks for the next forward (tubelet/allocator.h):
  // faster and smaller at peak on the CPU, but process-wide; $TUBELET_MALLOC=default or false
  // here leaves malloc alone.
  bool keep_freed_memory = true;
};

// One class of a prediction.
struct ClassScore {
  int64_t index = 0;
  std::string label;  // the label map's name; the index as text without a label map
  double score = 0;
};

struct Prediction {
  torch::Tensor scores;          // [num_classes] float32 on the CPU, as the model's test step gives
  std::vector<ClassScore> topk;  // the best `topk` classes, best first (ties: lower index first)
};

// An input after the test pipeline, ready for the model (see Recognizer::prepare).
struct PreparedInput {
  std::string source;  // what errors call the input: "video 'x.mp4'", "frames (16 x 64x64)", ...
  Batch batch;         // the pipeline's output, collated into a batch of one, on the CPU
};

class Recognizer {
 public:
  // Loads `config` (a .py/.json/.yaml config with `model` and data.test.pipeline, its
  // custom_imports loaded, options.cfg_options applied), builds the model without its
  // backbone's `pretrained` weights (the checkpoint brings them) and loads `checkpoint` (a
  // path, URL or model-zoo name; empty: the weights stay as initialised, as init_recognizer
  // with checkpoint=None). A checkpoint that does not match the model exactly is loaded as far
  // as it matches, with mmcv's warning on stderr. Then readies the model on its device
  // (eval mode, batch norms folded, channels-last on the CPU: apis/inference.h).
  // Throws, with a message naming the file, key or option at fault: ConfigError for a config
  // that cannot be read or built, CheckpointError (or std::runtime_error) for a checkpoint
  // that cannot be read or downloaded, std::runtime_error for an unreadable label map or a
  // device that is not there, std::invalid_argument for a malformed device name, a negative
  // topk or a model that is not a recognizer.
  Recognizer(const std::string& config, const std::string& checkpoint,
             RecognizerOptions options = {});
  ~Recognizer();
  Recognizer(const Recognizer&) = delete;
  Recognizer& operator=(const Recognizer&) = delete;

  // Every predict and prepare may run on several threads at once: decoding and the pipeline
  // run in parallel, the model's forwards one at a time. Each throws an exception whose
  // message names the input (its path, or PreparedInput::source): std::invalid_argument for an
  // input that is not a video (a missing path, frames of the wrong type or shape),
  // std::runtime_error (or a subclass) for one that fails to decode or to go through the
  // pipeline or the model.

  // A video file or a rawframe folder, through the config's test pipeline with its decoder
  // replaced for the input's kind (OpenCVDecode / RawFrameDecode), as MMAction2's
  // inference_recognizer does for a path.
  Prediction predict(const std::string& video) const;
  // A whole decoded video, as inference_recognizer does for a T x H x W x 3 ndarray: the test
  // pipeline with every *Decode replaced by ArrayDecode and *Init steps removed, so the
  // config's sampling (SampleFrames, ...) picks frames from these. Frames are RGB uint8
  // (CV_8UC3), all of one size, at least one (they are copied into one tensor first).
  Prediction predict(const std::vector<cv::Mat>& frames) const;
  // The same from a uint8 tensor [T, H, W, 3] of RGB frames ([T, H, W, 2]: optical flow x and
  // y, MMAction2's Flow modality), on any device.
  Prediction predict(const torch::Tensor& frames) const;

  // The two halves of predict, for a caller that prepares the next input while the model
  // runs on this one: prepare runs the pipeline (no model), predict(PreparedInput) the model.
  PreparedInput prepare(const std::string& video) const;
  PreparedInput prepare(const std::vector<cv::Mat>& frames) const;
  PreparedInput prepare(const torch::Tensor& frames) const;
  Prediction predict(PreparedInput input) const;

  // Sliding-window recognition of a live camera, network stream or long video (`tubelet
  // stream`, apis/stream.h): each window's frames go through the test pipeline as MMAction2's
  // webcam and long-video demos send them, and `on_window` gets each window's time span,
  // top-k and latency. `on_frame` (optional) sees every frame with the latest window; `stop`
  // (optional, asked once a frame) ends a live source. Errors as StreamRecognizer::run.
  StreamSummary stream(FrameStream& source, const StreamOptions& options,
                       const StreamRecognizer::WindowCallback& on_window,
                       const StreamRecognizer::FrameCallback& on_frame = {},
                       const std::function<bool()>& stop = {}) const;
  // The predictor `stream` uses, for a StreamRecognizer of one's own.
  WindowPredictor window_predictor() const;
  // Frames per window when StreamOptions::window is unset: the test pipeline's SampleFrames
  // clip_len x num_clips.
  int64_t default_window() const;

  // A Prediction of class scores computed elsewhere ([num_classes]): its top-k and names.
  Prediction prediction(torch::Tensor scores) const;

  // The config as loaded (cfg_options applied, backbone.pretrained None).
  const Dict& config() const;
  // The model, ready for inference. Forwards through inference_scores (apis/inference.h)
  // share predict's lock; calling the model directly while predict runs is a race.
  torch::nn::Module& model() const;
  torch::Device device() const;
  // The label map's names (empty without one).
  const std::vector<std::string>& labels() const;
  // What readying the model did, e.g. "53 batch norms folded into convs, 2D convs
  // channels-last".
  const std::string& prepared() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A label map as MMAction2's demo reads one: a class name per line, stripped of surrounding
// whitespace. Throws std::runtime_error naming the file when it cannot be read.
std::vector<std::string> read_label_map(const std::string& path);

}  // namespace tubelet
