#include "tubelet/data/pose/pose_normalize.h"

#include <torch/torch.h>

#include <stdexcept>

#include "tubelet/data/transforms/common.h"

namespace tubelet {

PoseNormalize::PoseNormalize(PoseNormalizeOptions options) : options_(std::move(options)) {}

void PoseNormalize::apply(Sample& sample) {
  const torch::Tensor* kp = sample.tensor("keypoint");
  if (!kp) throw std::invalid_argument("PoseNormalize: the sample has no 'keypoint'");
  auto column = [](const std::vector<float>& v) {
    return torch::tensor(v, torch::kFloat).reshape({-1, 1, 1, 1});
  };
  torch::Tensor mean = column(options_.mean);
  torch::Tensor range = column(options_.max_value) - column(options_.min_value);  // float32
  torch::Tensor out;
  try {
    out = (*kp - mean) / range;
  } catch (const c10::Error&) {
    throw std::invalid_argument("PoseNormalize: cannot normalize a keypoint of shape " +
                                c10::str(kp->sizes()) + " with " +
                                std::to_string(options_.mean.size()) + " channel values");
  }
  sample.set_tensor("keypoint", out);
  Dict cfg;
  cfg.set("mean", transforms::float32_list(options_.mean));
  cfg.set("min_value", transforms::float32_list(options_.min_value));
  cfg.set("max_value", transforms::float32_list(options_.max_value));
  sample.info.set("keypoint_norm_cfg", Value(std::move(cfg)));
}

std::shared_ptr<Transform> PoseNormalize::from_config(Args& args) {
  PoseNormalizeOptions o;
  auto read = [&](const char* key, std::vector<float>& out) {
    const Value* v = args.find(key);
    if (!v) return;
    try {
      out = transforms::float32_values(*v, key);
    } catch (const std::exception&) {
      throw args.error(key, std::string(key) + " must be a list or tuple of numbers");
    }
  };
  read("mean", o.mean);
  read("min_value", o.min_value);
  read("max_value", o.max_value);
  const size_t n = o.mean.size();
  auto fits = [&](size_t m) { return m == n || m == 1 || n == 1; };
  if (!fits(o.min_value.size()) || !fits(o.max_value.size()) ||
      !(o.min_value.size() == o.max_value.size() || o.min_value.size() == 1 ||
        o.max_value.size() == 1))
    throw args.error("mean", "mean, min_value and max_value must have the same length");
  return std::make_shared<PoseNormalize>(o);
}

TUBELET_REGISTER(PIPELINES, PoseNormalize, PoseNormalize::from_config);

}  // namespace tubelet
