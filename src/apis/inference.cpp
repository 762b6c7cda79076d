#include "tubelet/apis/inference.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <regex>

#include "tubelet/config/error.h"
#include "tubelet/data/dataset_loader.h"
#include "tubelet/data/device_loader.h"
#include "tubelet/data/transform.h"
#include "tubelet/models/fuse_conv_bn.h"
#include "tubelet/models/memory_format.h"
#include "tubelet/models/recognizers/base_recognizer.h"
#include "tubelet/models/trainable.h"

namespace tubelet {

namespace {

std::string type_of(const Value& step) {
  const Value* t = step.is_dict() ? step.as_dict().find("type") : nullptr;
  return t && t->is_str() ? t->as_str() : "";
}

Value type_only(const char* type) {
  Dict d;
  d.set("type", Value(type));
  return Value(std::move(d));
}

Value get_or(const Dict& d, const char* key, Value fallback) {
  const Value* v = d.find(key);
  return v ? *v : fallback;
}

// Frames in `dir` named as `filename_tmpl` says (img_{:05}.jpg -> img_\d+.jpg), as
// MMAction2 counts them.
int64_t count_frames(const std::string& dir, std::string tmpl, const std::string& modality) {
  if (modality == "Flow") {
    size_t at = tmpl.find("{}");
    if (at != std::string::npos) tmpl.replace(at, 2, "x");
  }
  size_t open = tmpl.find('{'), close = tmpl.find('}', open);
  std::string pattern;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (i == open) {
      pattern += "\\d+";
      i = close;
      continue;
    }
    if (std::string(".^$|()[]*+?\\").find(tmpl[i]) != std::string::npos) pattern += '\\';
    pattern += tmpl[i];
  }
  std::regex re(pattern);
  int64_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (std::regex_match(entry.path().filename().string(), re)) ++n;
  return n;
}

// Sets a recognizer's view_chunk for one call and puts the old value back, also when the
// forward throws: the model may be used again (by a test loop, say) without the chunking.
class ViewChunkScope {
 public:
  ViewChunkScope(BaseRecognizerImpl* recognizer, std::optional<int64_t> chunk)
      : recognizer_(recognizer) {
    if (!recognizer_) return;
    saved_ = recognizer_->view_chunk;
    recognizer_->view_chunk = chunk;
  }
  ~ViewChunkScope() {
    if (recognizer_) recognizer_->view_chunk = saved_;
  }
  ViewChunkScope(const ViewChunkScope&) = delete;
  ViewChunkScope& operator=(const ViewChunkScope&) = delete;

 private:
  BaseRecognizerImpl* recognizer_;
  std::optional<int64_t> saved_;
};

// The lock that lets one forward of `model` run at a time. A forward sets the recognizer's
// view_chunk (ViewChunkScope) and its modules' train/eval flags, which passes on other threads
// would race on; and on the CPU parallel passes would only compete for the same intra-op
// threads. Per model, so that models on different devices still run side by side. Entries
// are never removed: one mutex per model a process ever ran (a later model at a freed one's
// address shares its mutex, which costs nothing but that serialisation).
std::mutex& forward_mutex(const torch::nn::Module& model) {
  static std::mutex guard;
  static std::map<const torch::nn::Module*, std::unique_ptr<std::mutex>> mutexes;
  std::lock_guard<std::mutex> lock(guard);
  std::unique_ptr<std::mutex>& m = mutexes[&model];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

// "Byte [16, 64, 64, 3]" (c10's name of uint8), for messages about a video tensor.
std::string describe_video_tensor(const torch::Tensor& t) {
  std::string dims;
  for (int64_t d : t.sizes()) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
  return std::string(c10::toString(t.scalar_type())) + " [" + dims + "]";
}

// MMAction2's array input as the pipeline's first results: its modality_map sends a last
// dimension of 3 to RGB and 2 to Flow; other shapes fail its assert or ArrayDecode.
Sample array_sample(const torch::Tensor& video) {
  if (!video.defined()) throw std::invalid_argument("the video tensor is undefined");
  const std::string what = "the video tensor (" + describe_video_tensor(video) + ")";
  if (video.dim() != 4 || (video.size(3) != 3 && video.size(3) != 2))
    throw std::invalid_argument(what + " must be T x H x W x 3 (RGB) or T x H x W x 2 (Flow)");
  if (video.scalar_type() != torch::kUInt8)
    throw std::invalid_argument(what + " must be uint8 (frames as decoders give them)");
  if (video.numel() == 0) throw std::invalid_argument(what + " has no frames or no pixels");
  Sample sample;
  sample.info.set("total_frames", Value(video.size(0)));
  sample.info.set("label", Value(int64_t{-1}));
  sample.info.set("start_index", Value(int64_t{0}));
  sample.info.set("modality", Value(video.size(3) == 3 ? "RGB" : "Flow"));
  sample.set_tensor("array", video.to(torch::kCPU).contiguous());
  return sample;
}

// The sample through the steps, collated into a batch of one. collate stacks a copy (250
// views of 224x224: 150 MB); the sample's own goes on return, before the model runs, its
// memory left to the activations.
Batch run_pipeline(const Value& steps, Sample sample) {
  Compose(steps, "data.test.pipeline").apply(sample);
  std::vector<Sample> one;
  one.push_back(std::move(sample));
  return collate(one);
}

// The device of the model's first parameter (the CPU for a model without any).
torch::Device model_device(const torch::nn::Module& model) {
  const auto params = model.parameters();
  return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

// The views per pass for this call: the caller's, else the default for this input; none
// when the caller asked for one pass (0).
std::optional<int64_t> chosen_view_chunk(const InferenceOptions& options,
                                         const torch::Tensor& imgs) {
  const int64_t chunk = options.view_chunk ? *options.view_chunk : default_view_chunk(imgs);
  if (chunk < 0)
    throw std::invalid_argument("view_chunk must be 0 (all views at once) or positive, got " +
                                std::to_string(chunk));
  return chunk == 0 ? std::nullopt : std::optional<int64_t>(chunk);
}

}  // namespace

bool inference_channels_last(const Dict& cfg, const torch::Device& device) {
  if (const Value* flag = cfg.find("channels_last"); flag && !flag->is_none())
    return channels_last_requested(cfg);
  return device.is_cpu();
}

std::string prepare_for_inference(torch::nn::Module& model, const Dict& cfg,
                                  const InferenceModelOptions& options) {
  model.eval();
  std::string done;
  if (options.fuse_conv_bn)
    done = std::to_string(fuse_conv_bn(model)) + " batch norms folded into convs";
  const Value* flag = cfg.find("channels_last");
  // Asked for (by the caller or the config): 3D convs too, as `tubelet train` and `test` do.
  const bool asked = options.channels_last.has_value() || (flag && !flag->is_none());
  const bool channels_last =
      options.channels_last.value_or(inference_channels_last(cfg, model_device(model)));
  if (!channels_last) return done;
  to_channels_last(model, /*with_3d=*/asked);
  return done + (done.empty() ? "" : ", ") + (asked ? "channels-last" : "2D convs channels-last");
}

int64_t default_view_chunk(const torch::Tensor& imgs, int64_t budget_bytes) {
  if (imgs.dim() < 2 || imgs.numel() == 0) return 1;
  const int64_t views = imgs.size(0) * imgs.size(1);
  const int64_t view_bytes = imgs.numel() / views * static_cast<int64_t>(imgs.element_size());
  constexpr int64_t kActivationsPerInput = 16;
  return std::max<int64_t>(1, budget_bytes / (kActivationsPerInput * view_bytes));
}

std::pair<Value, Dict> inference_pipeline(const Dict& cfg, const std::string& input) {
  const Value* data = cfg.find("data");
  const Value* test = data && data->is_dict() ? data->as_dict().find("test") : nullptr;
  if (!test || !test->is_dict() || !test->as_dict().contains("pipeline"))
    throw ConfigError("the config has no data.test.pipeline");
  const Dict& test_cfg = test->as_dict();
  List steps = test_cfg.at("pipeline").as_list();
  Dict results;
  if (std::filesystem::is_regular_file(input)) {
    results.set("filename", Value(input));
    results.set("label", Value(int64_t{-1}));
    results.set("start_index", Value(int64_t{0}));
    results.set("modality", Value("RGB"));
    if (steps.empty() || type_of(steps[0]).find("Init") == std::string::npos)
      steps.insert(steps.begin(), type_only("OpenCVInit"));
    else
      steps[0] = type_only("OpenCVInit");
    for (auto& s : steps)
      if (type_of(s).find("Decode") != std::string::npos) s = type_only("OpenCVDecode");
  } else if (std::filesystem::is_directory(input)) {
    std::string tmpl = get_or(test_cfg, "filename_tmpl", Value("img_{:05}.jpg")).as_str();
    std::string modality = get_or(test_cfg, "modality", Value("RGB")).as_str();
    results.set("frame_dir", Value(input));
    results.set("total_frames", Value(count_frames(input, tmpl, modality)));
    results.set("label", Value(int64_t{-1}));
    results.set("start_index", get_or(test_cfg, "start_index", Value(int64_t{1})));
    results.set("filename_tmpl", Value(tmpl));
    results.set("modality", Value(modality));
    if (!steps.empty() && type_of(steps[0]).find("Init") != std::string::npos)
      steps.erase(steps.begin());
    for (auto& s : steps)
      if (type_of(s).find("Decode") != std::string::npos) s = type_only("RawFrameDecode");
  } else if (!std::filesystem::exists(input)) {
    throw std::invalid_argument("'" + input + "' does not exist");
  } else {
    throw std::invalid_argument("'" + input + "' is neither a video file nor a rawframe folder");
  }
  return {Value::list(std::move(steps)), std::move(results)};
}

Value array_inference_pipeline(const Dict& cfg) {
  // The steps inference_pipeline would run for a rawframe folder, with ArrayDecode.
  const Value* data = cfg.find("data");
  const Value* test = data && data->is_dict() ? data->as_dict().find("test") : nullptr;
  const Value* pipeline = test && test->is_dict() ? test->as_dict().find("pipeline") : nullptr;
  if (!pipeline || !pipeline->is_sequence())
    throw ConfigError("the config has no data.test.pipeline");
  List steps;
  for (const Value& step : pipeline->as_list()) {
    const std::string type = type_of(step);
    if (type.find("Init") != std::string::npos) continue;
    steps.push_back(type.find("Decode") != std::string::npos ? type_only("ArrayDecode") : step);
  }
  return Value::list(std::move(steps));
}

Batch inference_batch(const Dict& cfg, const std::string& input) {
  auto [steps, results] = inference_pipeline(cfg, input);
  Sample sample;
  sample.info = std::move(results);
  return run_pipeline(steps, std::move(sample));
}

Batch inference_batch(const Dict& cfg, const torch::Tensor& video) {
  Sample sample = array_sample(video);
  return run_pipeline(array_inference_pipeline(cfg), std::move(sample));
}

torch::Tensor inference_scores(torch::nn::Module& model, Batch batch,
                               const InferenceOptions& options) {
  auto* trainable = dynamic_cast<Trainable*>(&model);
  if (!trainable) throw std::invalid_argument("the model has no test_step");
  // The batch goes where the model's weights are.
  batch = to_device(std::move(batch), model_device(model));
  // A recognizer's input: "imgs", or an AudioRecognizer's "audios".
  auto* recognizer = dynamic_cast<BaseRecognizerImpl*>(&model);
  const char* input_key = batch.has("imgs") ? "imgs" : "audios";
  const std::optional<int64_t> chunk = recognizer && batch.has(input_key)
                                           ? chosen_view_chunk(options, batch.at(input_key))
                                           : std::nullopt;
  torch::Tensor scores;
  {
    std::lock_guard<std::mutex> one_forward(forward_mutex(model));
    model.eval();
    ViewChunkScope chunk_scope(recognizer, chunk);
    // InferenceMode rather than NoGradGuard alone: no version counters or view tracking on
    // the activations either.
    c10::InferenceMode inference_mode;
    scores = trainable->test_step(batch)[0].to(torch::kCPU);
  }
  // A normal tensor for the caller: inference tensors reject in-place updates outside
  // InferenceMode.
  return scores.clone();
}

torch::Tensor inference_recognizer(torch::nn::Module& model, const Dict& cfg,
                                   const std::string& input, const InferenceOptions& options) {
  return inference_scores(model, inference_batch(cfg, input), options);
}

std::vector<std::pair<int64_t, double>> top_k(const torch::Tensor& scores, int64_t k) {
  auto s = scores.to(torch::kDouble).flatten().contiguous();
  std::vector<std::pair<int64_t, double>> all;
  for (int64_t i = 0; i < s.numel(); ++i) all.emplace_back(i, s[i].item<double>());
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  all.resize(std::min<size_t>(all.size(), static_cast<size_t>(std::max<int64_t>(k, 0))));
  return all;
}

}  // namespace tubelet
