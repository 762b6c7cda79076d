// WindowPipeline and the default WindowPredictor: what MMAction2's long_video_demo.py and
// webcam_demo.py do with a window's frames before and in the model.
#include <algorithm>
#include <stdexcept>

#include "tubelet/apis/stream.h"
#include "tubelet/config/error.h"
#include "tubelet/data/dataset_loader.h"

namespace tubelet {

namespace {

std::string window_step_type(const Value& step) {
  const Value* t = step.is_dict() ? step.as_dict().find("type") : nullptr;
  return t && t->is_str() ? t->as_str() : "";
}

bool type_ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The demos remove OpenCV/Decord/PyAV's Init and Decode steps and RawFrameDecode: the frames
// are decoded already. Any other *Init or *Decode would want a file too.
bool is_decode_step(const std::string& type) {
  return type_ends_with(type, "Init") || type_ends_with(type, "Decode");
}

int64_t step_int(const Dict& step, const char* key, int64_t fallback, const std::string& type) {
  const Value* v = step.find(key);
  if (!v) return fallback;
  if (!v->is_int() || v->as_int() < 1)
    throw ConfigError("data.test.pipeline's " + type + ": " + key +
                      " must be a positive int for a window, got " + repr(*v));
  return v->as_int();
}

// `count` of `frames`, evenly spread: the middle frame of each of `count` equal parts.
std::vector<cv::Mat> spread_frames(const std::vector<cv::Mat>& frames, int64_t count) {
  std::vector<cv::Mat> out;
  const auto n = static_cast<int64_t>(frames.size());
  for (int64_t i = 0; i < count; ++i) {
    const int64_t at = std::min(n - 1, (2 * i + 1) * n / (2 * count));
    // Copies: transforms may change frames in place, and the window's frames are shared with
    // the next window and the annotated video.
    out.push_back(frames[static_cast<size_t>(at)].clone());
  }
  return out;
}

}  // namespace

WindowPipeline::WindowPipeline(const Dict& cfg) {
  const Value* data = cfg.find("data");
  const Value* test = data && data->is_dict() ? data->as_dict().find("test") : nullptr;
  const Value* pipeline = test && test->is_dict() ? test->as_dict().find("pipeline") : nullptr;
  if (!pipeline || !pipeline->is_sequence())
    throw ConfigError("the config has no data.test.pipeline");
  List kept;
  bool sampled = false;
  for (const Value& step : pipeline->as_list()) {
    const std::string type = window_step_type(step);
    if (type.find("SampleFrames") != std::string::npos) {
      clip_len_ = step_int(step.as_dict(), "clip_len", 1, type);
      num_clips_ = step_int(step.as_dict(), "num_clips", 1, type);
      sampled = true;
    } else if (!is_decode_step(type)) {
      kept.push_back(step);
    }
  }
  if (!sampled)
    throw ConfigError(
        "data.test.pipeline has no SampleFrames step: a stream's window needs its clip_len and "
        "num_clips (as MMAction2's long_video_demo.py does)");
  compose_ = Compose(Value::list(std::move(kept)), "data.test.pipeline");
}

Sample WindowPipeline::operator()(const std::vector<cv::Mat>& frames) const {
  if (frames.empty()) throw std::invalid_argument("a window needs at least one frame");
  Sample sample;
  const cv::Mat& first = frames.front();
  sample.info.set("img_shape",
                  Value::tuple({Value(int64_t{first.rows}), Value(int64_t{first.cols})}));
  sample.info.set("modality", Value("RGB"));
  sample.info.set("label", Value(int64_t{-1}));
  sample.info.set("num_clips", Value(num_clips_));
  sample.info.set("clip_len", Value(clip_len_));
  sample.imgs = spread_frames(frames, sample_length());
  compose_.apply(sample);
  return sample;
}

torch::Tensor predict_pipeline_sample(torch::nn::Module& model, Sample sample,
                                      const InferenceOptions& options) {
  std::vector<Sample> one;
  one.push_back(std::move(sample));
  // inference_scores: the same locked, chunked forward as a Recognizer's predict, so a stream
  // and predictions may share one model.
  return inference_scores(model, collate(one), options);
}

WindowPredictor model_window_predictor(std::shared_ptr<torch::nn::Module> model, const Dict& cfg,
                                       const InferenceOptions& options) {
  if (!model) throw std::invalid_argument("model_window_predictor: no model");
  auto pipeline = std::make_shared<const WindowPipeline>(cfg);
  model->eval();
  return [model = std::move(model), pipeline, options](const std::vector<cv::Mat>& frames) {
    return predict_pipeline_sample(*model, (*pipeline)(frames), options);
  };
}

}  // namespace tubelet
