#include "tubelet/apis/recognizer.h"

#include <fstream>
#include <iostream>
#include <opencv2/core.hpp>
#include <stdexcept>

#include "tubelet/allocator.h"
#include "tubelet/apis/inference.h"
#include "tubelet/apis/run_device.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/trainable.h"
#include "tubelet/plugin.h"

namespace tubelet {

struct Recognizer::State {
  Dict cfg;
  std::shared_ptr<torch::nn::Module> model;
  torch::Device device = torch::kCPU;
  std::vector<std::string> labels;
  std::string prepared;
  InferenceOptions inference;
  int64_t topk = 5;
};

// A named namespace around the helpers: the library compiles in unity batches, where helpers
// of the same name in two files' anonymous namespaces would clash.
namespace recognizer_impl {
namespace {

// MMAction2's init_recognizer sets model.backbone.pretrained = None: the checkpoint brings
// every weight, so the ImageNet one named there (torchvision://resnet50) is not loaded. Only
// where the key exists, so backbones without the argument still build.
void drop_backbone_pretrained(Dict& cfg) {
  Value* model = cfg.find("model");
  if (!model || !model->is_dict()) return;
  Value* backbone = model->mutable_dict().find("backbone");
  if (!backbone || !backbone->is_dict() || !backbone->as_dict().contains("pretrained")) return;
  backbone->mutable_dict().set("pretrained", Value());
}

std::string trim(const std::string& s) {
  const char* space = " \t\r\n\f\v";
  const size_t first = s.find_first_not_of(space);
  return first == std::string::npos ? "" : s.substr(first, s.find_last_not_of(space) - first + 1);
}

// The model for `cfg`, its checkpoint loaded (with mmcv's warning when they do not match).
std::shared_ptr<torch::nn::Module> load_model(const Dict& cfg, const std::string& checkpoint) {
  auto model = build_model(cfg.at("model"), "model");
  if (!dynamic_cast<Trainable*>(model.get()))
    throw std::invalid_argument("the config's model is not a recognizer (it has no test step)");
  if (checkpoint.empty()) return model;
  auto report =
      checkpoint::load_state_dict(*model, checkpoint::load_checkpoint(checkpoint).state_dict);
  if (!report.ok()) std::cerr << report.message() << "\n";
  return model;
}

// Runs `make`; what it throws is rethrown with `source` in front unless its message already
// names `path`, keeping the kind for bad input (std::invalid_argument) and making the rest
// std::runtime_error.
template <class F>
auto naming(const std::string& source, const std::string& path, F&& make) -> decltype(make()) {
  try {
    return make();
  } catch (const std::exception& e) {
    const bool named = !path.empty() && std::string(e.what()).find(path) != std::string::npos;
    if (named) throw;
    if (dynamic_cast<const std::invalid_argument*>(&e))
      throw std::invalid_argument(source + ": " + e.what());
    throw std::runtime_error(source + ": " + e.what());
  }
}

std::string size_text(const cv::Mat& m) {
  return std::to_string(m.cols) + "x" + std::to_string(m.rows);
}

// The frames as one uint8 [T, H, W, 3] tensor; errors name the frame that is not RGB uint8 of
// the first one's size.
torch::Tensor stack_frames(const std::vector<cv::Mat>& frames) {
  if (frames.empty()) throw std::invalid_argument("no frames (a video needs at least one)");
  const cv::Mat& first = frames.front();
  torch::Tensor video =
      torch::empty({static_cast<int64_t>(frames.size()), first.rows, first.cols, 3}, torch::kUInt8);
  for (size_t t = 0; t < frames.size(); ++t) {
    const cv::Mat& f = frames[t];
    if (f.empty() || f.type() != CV_8UC3 || f.size() != first.size())
      throw std::invalid_argument(
          "frame " + std::to_string(t) + " is " +
          (f.empty() ? std::string("empty")
                     : size_text(f) + " of type " + cv::typeToString(f.type())) +
          "; every frame must be RGB uint8 (CV_8UC3) of " + size_text(first));
    cv::Mat slot(first.rows, first.cols, CV_8UC3,
                 video[static_cast<int64_t>(t)].data_ptr<uint8_t>());
    f.copyTo(slot);
  }
  return video;
}

std::string frames_source(const std::vector<cv::Mat>& frames) {
  return "frames (" + std::to_string(frames.size()) +
         (frames.empty() ? "" : " x " + size_text(frames.front())) + ")";
}

std::string tensor_source(const torch::Tensor& t) {
  if (!t.defined()) return "frames tensor (undefined)";
  std::string dims;
  for (int64_t d : t.sizes()) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
  return "frames tensor [" + dims + "]";
}

}  // namespace
}  // namespace recognizer_impl

std::vector<std::string> read_label_map(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read label map '" + path + "'");
  std::vector<std::string> labels;
  for (std::string line; std::getline(in, line);) labels.push_back(recognizer_impl::trim(line));
  return labels;
}

Recognizer::Recognizer(const std::string& config, const std::string& checkpoint,
                       RecognizerOptions options)
    : state_(std::make_unique<State>()) {
  if (options.topk < 0)
    throw std::invalid_argument("topk must be 0 or more, got " + std::to_string(options.topk));
  State& s = *state_;
  s.cfg = load_config_for_command(config, options.cfg_options);
  recognizer_impl::drop_backbone_pretrained(s.cfg);
  s.device = run_device(read_run_config(s.cfg), options.device.empty()
                                                    ? std::nullopt
                                                    : std::optional<std::string>(options.device));
  if (!options.label_map.empty()) s.labels = read_label_map(options.label_map);
  s.model = recognizer_impl::load_model(s.cfg, checkpoint);
  s.model->to(s.device);
  InferenceModelOptions prepare;
  prepare.fuse_conv_bn = options.fuse_conv_bn;
  s.prepared = prepare_for_inference(*s.model, s.cfg, prepare);
  // From here on, what is freed stays in the heap for the next pass. Not before: the
  // checkpoint's tensors and the weights that folding and channels-last replace are freed
  // once, and kept they would only fragment the heap (TSN-R50: 140 MB more peak RSS).
  if (options.keep_freed_memory) keep_freed_memory();
  s.inference.view_chunk = options.view_chunk;
  s.topk = options.topk;
}

Recognizer::~Recognizer() = default;

PreparedInput Recognizer::prepare(const std::string& video) const {
  PreparedInput input;
  input.source = "video '" + video + "'";
  input.batch = recognizer_impl::naming(input.source, video,
                                        [&] { return inference_batch(state_->cfg, video); });
  return input;
}

PreparedInput Recognizer::prepare(const std::vector<cv::Mat>& frames) const {
  PreparedInput input;
  input.source = recognizer_impl::frames_source(frames);
  input.batch = recognizer_impl::naming(input.source, "", [&] {
    return inference_batch(state_->cfg, recognizer_impl::stack_frames(frames));
  });
  return input;
}

PreparedInput Recognizer::prepare(const torch::Tensor& frames) const {
  PreparedInput input;
  input.source = recognizer_impl::tensor_source(frames);
  input.batch = recognizer_impl::naming(input.source, "",
                                        [&] { return inference_batch(state_->cfg, frames); });
  return input;
}

Prediction Recognizer::predict(PreparedInput input) const {
  const std::string source = std::move(input.source);
  return prediction(recognizer_impl::naming(source, "", [&] {
    return inference_scores(*state_->model, std::move(input.batch), state_->inference);
  }));
}

Prediction Recognizer::predict(const std::string& video) const {
  return predict(prepare(video));
}
Prediction Recognizer::predict(const std::vector<cv::Mat>& frames) const {
  return predict(prepare(frames));
}
Prediction Recognizer::predict(const torch::Tensor& frames) const {
  return predict(prepare(frames));
}

Prediction Recognizer::prediction(torch::Tensor scores) const {
  Prediction p;
  p.scores = std::move(scores);
  const auto& labels = state_->labels;
  for (const auto& [index, score] : top_k(p.scores, state_->topk)) {
    const bool named = index < static_cast<int64_t>(labels.size());
    p.topk.push_back({index, named ? labels[index] : std::to_string(index), score});
  }
  return p;
}

const Dict& Recognizer::config() const {
  return state_->cfg;
}
torch::nn::Module& Recognizer::model() const {
  return *state_->model;
}
torch::Device Recognizer::device() const {
  return state_->device;
}
const std::vector<std::string>& Recognizer::labels() const {
  return state_->labels;
}
const std::string& Recognizer::prepared() const {
  return state_->prepared;
}

WindowPredictor Recognizer::window_predictor() const {
  return model_window_predictor(state_->model, state_->cfg, state_->inference);
}

int64_t Recognizer::default_window() const {
  return WindowPipeline(state_->cfg).sample_length();
}

StreamSummary Recognizer::stream(FrameStream& source, const StreamOptions& options,
                                 const StreamRecognizer::WindowCallback& on_window,
                                 const StreamRecognizer::FrameCallback& on_frame,
                                 const std::function<bool()>& stop) const {
  StreamRecognizer recognizer(window_predictor(), default_window(), options);
  return recognizer.run(source, on_window, on_frame, stop);
}

}  // namespace tubelet
