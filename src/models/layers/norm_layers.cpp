// NORM_LAYERS under mmcv's names. SyncBN is a BatchNorm of any input rank, with BatchNorm's
// parameter and buffer names, whose training statistics span every rank in a distributed run.
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/instancenorm.h>
#include <torch/nn/modules/normalization.h>

#include "tubelet/distributed/sync_batch_norm.h"
#include "tubelet/models/layers.h"

namespace tubelet {

// Batch norm of any input rank, with BatchNorm's parameter and buffer names and PyTorch's
// _BatchNorm.forward semantics. (LibTorch's BatchNormImplBase cannot be subclassed from
// outside: its pretty_print is not exported.)
class SyncBatchNormImpl : public torch::nn::Cloneable<SyncBatchNormImpl> {
 public:
  explicit SyncBatchNormImpl(const torch::nn::BatchNormOptions& options_) : options(options_) {
    reset();
  }

  void reset() override {
    int64_t n = options.num_features();
    if (options.affine()) {
      weight = register_parameter("weight", torch::ones({n}));
      bias = register_parameter("bias", torch::zeros({n}));
    }
    if (options.track_running_stats()) {
      running_mean = register_buffer("running_mean", torch::zeros({n}));
      running_var = register_buffer("running_var", torch::ones({n}));
      num_batches_tracked = register_buffer("num_batches_tracked", torch::tensor(0, torch::kLong));
    }
  }

  torch::Tensor forward(const torch::Tensor& input) {
    TORCH_CHECK(input.dim() >= 2, "SyncBN expects at least 2D input (got ", input.dim(), "D)");
    double factor = options.momentum() ? *options.momentum() : 0.0;
    if (is_training() && options.track_running_stats()) {
      num_batches_tracked.add_(1);
      if (!options.momentum()) factor = 1.0 / num_batches_tracked.item<double>();
    }
    bool use_batch_stats = is_training() || !options.track_running_stats();
    // A distributed run's training statistics span every rank's batch (torch's SyncBatchNorm).
    if (is_training() && dist::get_dist_info().world_size > 1)
      return dist::sync_batch_norm(input, weight, bias, running_mean, running_var, factor,
                                   options.eps(), *dist::default_group());
    return torch::batch_norm(input, weight, bias, running_mean, running_var, use_batch_stats,
                             factor, options.eps(), /*cudnn_enabled=*/true);
  }

  void pretty_print(std::ostream& stream) const override {
    stream << "SyncBN(" << options.num_features() << ")";
  }

  torch::nn::BatchNormOptions options;
  torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;
};
TORCH_MODULE(SyncBatchNorm);

namespace {

torch::nn::BatchNormOptions batch_norm_options(Args& args) {
  torch::nn::BatchNormOptions o(args.required<int64_t>("num_features"));
  o.eps(args.get("eps", 1e-5))
      .affine(args.get("affine", true))
      .track_running_stats(args.get("track_running_stats", true));
  // None means a cumulative moving average, as in PyTorch.
  std::optional<double> momentum = args.get<std::optional<double>>("momentum", 0.1);
  if (momentum)
    o.momentum(*momentum);
  else
    o.momentum(c10::nullopt);
  return o;
}

template <class Holder>
std::shared_ptr<torch::nn::AnyModule> build_batch_norm(Args& args) {
  return std::make_shared<torch::nn::AnyModule>(Holder(batch_norm_options(args)));
}

template <class Holder, class Options>
std::shared_ptr<torch::nn::AnyModule> build_instance_norm(Args& args) {
  Options o(args.required<int64_t>("num_features"));
  o.eps(args.get("eps", 1e-5))
      .momentum(args.get("momentum", 0.1))
      .affine(args.get("affine", false))
      .track_running_stats(args.get("track_running_stats", false));
  return std::make_shared<torch::nn::AnyModule>(Holder(o));
}

std::shared_ptr<torch::nn::AnyModule> build_group_norm(Args& args) {
  if (!args.has("num_groups")) throw args.error("num_groups", "GN needs 'num_groups'");
  torch::nn::GroupNormOptions o(args.required<int64_t>("num_groups"),
                                args.required<int64_t>("num_channels"));
  o.eps(args.get("eps", 1e-5)).affine(args.get("affine", true));
  if (o.num_channels() % o.num_groups() != 0)
    throw args.error("num_groups", "num_channels must be divisible by num_groups");
  return std::make_shared<torch::nn::AnyModule>(torch::nn::GroupNorm(o));
}

std::shared_ptr<torch::nn::AnyModule> build_layer_norm(Args& args) {
  torch::nn::LayerNormOptions o({args.required<int64_t>("num_features")});
  o.eps(args.get("eps", 1e-5)).elementwise_affine(args.get("elementwise_affine", true));
  return std::make_shared<torch::nn::AnyModule>(torch::nn::LayerNorm(o));
}

}  // namespace

torch::nn::BatchNormOptions* batch_norm_options(torch::nn::Module& module) {
  if (auto* m = dynamic_cast<torch::nn::BatchNorm1dImpl*>(&module)) return &m->options;
  if (auto* m = dynamic_cast<torch::nn::BatchNorm2dImpl*>(&module)) return &m->options;
  if (auto* m = dynamic_cast<torch::nn::BatchNorm3dImpl*>(&module)) return &m->options;
  if (auto* m = dynamic_cast<SyncBatchNormImpl*>(&module)) return &m->options;
  return nullptr;
}

TUBELET_REGISTER(NORM_LAYERS, BN, build_batch_norm<torch::nn::BatchNorm2d>);
TUBELET_REGISTER(NORM_LAYERS, BN1d, build_batch_norm<torch::nn::BatchNorm1d>);
TUBELET_REGISTER(NORM_LAYERS, BN2d, build_batch_norm<torch::nn::BatchNorm2d>);
TUBELET_REGISTER(NORM_LAYERS, BN3d, build_batch_norm<torch::nn::BatchNorm3d>);
TUBELET_REGISTER(NORM_LAYERS, SyncBN, build_batch_norm<SyncBatchNorm>);
TUBELET_REGISTER(NORM_LAYERS, GN, build_group_norm);
TUBELET_REGISTER(NORM_LAYERS, LN, build_layer_norm);
TUBELET_REGISTER(
    NORM_LAYERS, IN,
    (build_instance_norm<torch::nn::InstanceNorm2d, torch::nn::InstanceNorm2dOptions>));
TUBELET_REGISTER(
    NORM_LAYERS, IN1d,
    (build_instance_norm<torch::nn::InstanceNorm1d, torch::nn::InstanceNorm1dOptions>));
TUBELET_REGISTER(
    NORM_LAYERS, IN2d,
    (build_instance_norm<torch::nn::InstanceNorm2d, torch::nn::InstanceNorm2dOptions>));
TUBELET_REGISTER(
    NORM_LAYERS, IN3d,
    (build_instance_norm<torch::nn::InstanceNorm3d, torch::nn::InstanceNorm3dOptions>));

}  // namespace tubelet
