#include "tubelet/models/fuse_conv_bn.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/modules/conv.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "tubelet/models/common/conv_module.h"
#include "tubelet/models/layers.h"

namespace tubelet {

namespace {

// A batch norm's per-channel affine map in eval mode, y = x * scale + shift, in double.
struct NormAffine {
  torch::Tensor scale, shift;
};

// The map of `norm` when it is a batch norm with running statistics; nullopt otherwise (group
// norm, layer norm, a batch norm that normalises with the batch's own statistics).
std::optional<NormAffine> batch_norm_affine(torch::nn::Module& norm) {
  const torch::nn::BatchNormOptions* options = batch_norm_options(norm);
  if (!options || !options->track_running_stats()) return std::nullopt;
  auto buffers = norm.named_buffers(/*recurse=*/false);
  auto params = norm.named_parameters(/*recurse=*/false);
  const torch::Tensor* mean = buffers.find("running_mean");
  const torch::Tensor* var = buffers.find("running_var");
  if (!mean || !var || !mean->defined() || !var->defined()) return std::nullopt;
  torch::Tensor scale = (var->to(torch::kDouble) + options->eps()).rsqrt();
  torch::Tensor shift = -mean->to(torch::kDouble) * scale;
  const torch::Tensor* gamma = params.find("weight");
  const torch::Tensor* beta = params.find("bias");
  if (options->affine() && gamma && gamma->defined()) {
    scale = scale * gamma->to(torch::kDouble);
    shift = shift * gamma->to(torch::kDouble);
  }
  if (options->affine() && beta && beta->defined()) shift = shift + beta->to(torch::kDouble);
  return NormAffine{scale, shift};
}

// Building a layer draws its initial weights from the global generator; the fold overwrites
// them, so the generator is put back as it was: folding must not change what a seeded run
// draws afterwards.
template <class Make>
auto without_drawing(Make make) {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  torch::Tensor state;
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    state = generator.get_state();
  }
  auto made = make();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
  return made;
}

// The options of a D-dimensional conv like `o`, with a bias.
template <size_t D>
torch::nn::ConvOptions<D> options_with_bias(const torch::nn::detail::ConvNdOptions<D>& o) {
  return torch::nn::ConvOptions<D>(o.in_channels(), o.out_channels(), o.kernel_size())
      .stride(o.stride())
      .padding(o.padding())
      .dilation(o.dilation())
      .groups(o.groups())
      .bias(true)
      .padding_mode(o.padding_mode());
}

// `conv` (Conv2d or Conv3d) with the norm folded in: a new layer of the same options plus a
// bias, whose tensors have the old weight's device, dtype and memory format.
template <class Holder, class Impl>
torch::nn::AnyModule folded_conv(const Impl& conv, const NormAffine& norm) {
  const torch::Tensor& w = conv.weight;
  std::vector<int64_t> per_channel(static_cast<size_t>(w.dim()), 1);
  per_channel[0] = w.size(0);
  torch::Tensor weight = torch::empty_like(w);  // keeps w's memory format
  weight.copy_(w.to(torch::kDouble) * norm.scale.to(w.device()).view(per_channel));
  torch::Tensor bias = norm.shift.to(w.device());
  if (conv.bias.defined()) bias = bias + conv.bias.to(torch::kDouble) * norm.scale.to(w.device());
  const auto options = options_with_bias(conv.options);
  Holder fused = without_drawing([&] { return Holder(options); });
  fused->to(w.device(), w.scalar_type());
  fused->weight.set_data(weight);
  fused->bias.set_data(bias.to(w.scalar_type()));
  fused->weight.set_requires_grad(w.requires_grad());
  fused->bias.set_requires_grad(w.requires_grad());
  return torch::nn::AnyModule(fused);
}

// Folds the norm of one ConvModule; false when it has none to fold.
bool fuse_one(ConvModuleImpl& m) {
  if (!m.with_norm()) return false;
  std::vector<std::string> order = m.options.order();
  const auto conv_at = std::find(order.begin(), order.end(), "conv");
  if (conv_at + 1 == order.end() || *(conv_at + 1) != "norm") return false;
  if (m.norm()->is_training())
    throw std::logic_error(
        "fuse_conv_bn: the model must be in eval mode (a batch norm that "
        "trains normalises with its batch's statistics)");
  const std::optional<NormAffine> norm = batch_norm_affine(*m.norm());
  if (!norm) return false;
  torch::nn::AnyModule fused;
  if (const auto* conv2d = m.conv()->as<torch::nn::Conv2d>())
    fused = folded_conv<torch::nn::Conv2d>(*conv2d, *norm);
  else if (const auto* conv3d = m.conv()->as<torch::nn::Conv3d>())
    fused = folded_conv<torch::nn::Conv3d>(*conv3d, *norm);
  else
    return false;  // TSM's TemporalShift, Conv2plus1d, ConvAudio: left as they are
  m.replace_conv(std::move(fused));
  // ConvModule's forward follows its order: without "norm" it skips the folded norm.
  order.erase(std::find(order.begin(), order.end(), "norm"));
  m.options.order(order);
  return true;
}

}  // namespace

int64_t fuse_conv_bn(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  int64_t fused = 0;
  for (const auto& m : module.modules(/*include_self=*/true))
    if (auto* conv_module = m->as<ConvModuleImpl>()) fused += fuse_one(*conv_module) ? 1 : 0;
  return fused;
}

}  // namespace tubelet
