#include "tubelet/engine/hooks/grad_clip.h"

#include <torch/nn/utils/clip_grad.h>

#include "tubelet/engine/runner.h"

namespace tubelet {

std::optional<GradClip> read_grad_clip(Args& args) {
  auto cfg = args.get<std::optional<Dict>>("grad_clip", std::nullopt);
  if (!cfg) return std::nullopt;
  Args clip_args(Value(*cfg), "grad_clip", args.path() + ".grad_clip");
  GradClip clip{clip_args.required<double>("max_norm"), clip_args.get("norm_type", 2.0)};
  clip_args.get("error_if_nonfinite", false);
  clip_args.finish();
  return clip;
}

void clip_grads(Runner& runner, const GradClip& clip) {
  std::vector<torch::Tensor> params;
  for (const auto& p : runner.model().parameters())
    if (p.requires_grad() && p.grad().defined()) params.push_back(p);
  if (params.empty()) return;
  double norm = torch::nn::utils::clip_grad_norm_(params, clip.max_norm, clip.norm_type);
  runner.log_buffer().update({{"grad_norm", norm}}, runner.outputs().num_samples);
}

}  // namespace tubelet
