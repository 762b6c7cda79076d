#include "tubelet/engine/hooks/ema_hook.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tubelet/args.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

EMAHook::EMAHook(EMAHookOptions options) : options_(std::move(options)) {
  if (options_.interval <= 0)
    throw std::invalid_argument("EMAHook: interval must be a positive int, got " +
                                std::to_string(options_.interval));
  if (!(options_.momentum > 0 && options_.momentum < 1))
    throw std::invalid_argument("EMAHook: momentum must be in (0, 1), got " +
                                std::to_string(options_.momentum));
  effective_momentum_ = std::pow(options_.momentum, static_cast<double>(options_.interval));
}

std::string EMAHook::buffer_name(const std::string& parameter_name) {
  std::string name = "ema_" + parameter_name;
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

void EMAHook::before_run(Runner& runner) {
  torch::nn::Module& model = runner.model();
  torch::NoGradGuard no_grad;
  pairs_.clear();
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    const std::string name = buffer_name(item.key());
    torch::Tensor buffer;
    auto own_buffers = model.named_buffers(/*recurse=*/false);
    if (torch::Tensor* existing = own_buffers.find(name)) {
      // mmcv's register_buffer replaces one of the same name (the hook run a second time on
      // the model); LibTorch cannot replace it, so it takes the parameter's value in place.
      buffer = *existing;
      buffer.copy_(item.value());
    } else {
      buffer = model.register_buffer(name, item.value().detach().clone());
    }
    pairs_.emplace_back(item.value(), buffer);
  }
  if (options_.resume_from) runner.resume(*options_.resume_from);
}

void EMAHook::after_train_iter(Runner& runner) {
  const int64_t step = runner.iter();
  const double warm = static_cast<double>(1 + step) / static_cast<double>(options_.warm_up + step);
  const double momentum = std::min(effective_momentum_, warm);
  if (step % options_.interval != 0) return;
  torch::NoGradGuard no_grad;
  for (auto& [param, ema] : pairs_) ema.mul_(1 - momentum).add_(param.detach(), momentum);
}

void EMAHook::before_train_epoch(Runner&) {
  swap_ema_parameters();
}
void EMAHook::after_train_epoch(Runner&) {
  swap_ema_parameters();
}

void EMAHook::swap_ema_parameters() {
  torch::NoGradGuard no_grad;
  for (auto& [param, ema] : pairs_) {
    torch::Tensor temp = param.detach().clone();
    param.detach().copy_(ema);
    ema.copy_(temp);
  }
}

namespace {

std::shared_ptr<Hook> build_ema_hook(Args& args) {
  EMAHookOptions o;
  o.momentum = args.get("momentum", o.momentum);
  o.interval = args.get("interval", o.interval);
  o.warm_up = args.get("warm_up", o.warm_up);
  o.resume_from = args.get<std::optional<std::string>>("resume_from", std::nullopt);
  if (o.interval <= 0) throw args.error("interval", "EMAHook: interval must be a positive int");
  if (!(o.momentum > 0 && o.momentum < 1))
    throw args.error("momentum", "EMAHook: momentum must be in (0, 1)");
  return std::make_shared<EMAHook>(o);
}

}  // namespace

TUBELET_REGISTER(HOOKS, EMAHook, build_ema_hook);

}  // namespace tubelet
