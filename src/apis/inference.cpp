#include "tubelet/apis/inference.h"

#include <algorithm>
#include <filesystem>
#include <regex>

#include "tubelet/config/error.h"
#include "tubelet/data/dataset_loader.h"
#include "tubelet/data/device_loader.h"
#include "tubelet/data/transform.h"
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

}  // namespace

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
  } else {
    throw std::invalid_argument("'" + input + "' is neither a video file nor a rawframe folder");
  }
  return {Value::list(std::move(steps)), std::move(results)};
}

torch::Tensor inference_recognizer(torch::nn::Module& model, const Dict& cfg,
                                   const std::string& input) {
  auto [steps, results] = inference_pipeline(cfg, input);
  Sample sample;
  sample.info = results;
  Compose(steps, "data.test.pipeline").apply(sample);
  std::vector<Sample> one;
  one.push_back(std::move(sample));
  auto* trainable = dynamic_cast<Trainable*>(&model);
  if (!trainable) throw std::invalid_argument("the model has no test_step");
  // The batch goes where the model's weights are.
  const auto params = model.parameters();
  const torch::Device device = params.empty() ? torch::kCPU : params.front().device();
  Batch batch = to_device(collate(one), device);
  torch::NoGradGuard no_grad;
  model.eval();
  return trainable->test_step(batch)[0].to(torch::kCPU);
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
