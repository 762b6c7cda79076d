#include "tubelet/models/backbones/resnet_tin.h"

#include <torch/torch.h>

#include "tubelet/models/registries.h"

namespace tubelet {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// out[n, t + shift[n, group(c)], c] = data[n, t, c], zero elsewhere.
torch::Tensor move_frames(const torch::Tensor& data, const torch::Tensor& shift) {
  int64_t n = data.size(0), t = data.size(1), c = data.size(2), hw = data.size(3);
  torch::Tensor per_channel = shift.to(torch::kLong).repeat_interleave(c / shift.size(1), 1);
  torch::Tensor source = torch::arange(t, per_channel.options()).view({1, t, 1}) -
                         per_channel.view({n, 1, c});  // [N, T, C]
  torch::Tensor valid = (source >= 0).logical_and(source < t);
  torch::Tensor index = source.clamp(0, t - 1).unsqueeze(-1).expand({n, t, c, hw});
  return data.gather(1, index) * valid.unsqueeze(-1).to(data.dtype());
}

class TINShiftFunction : public torch::autograd::Function<TINShiftFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& data,
                               const torch::Tensor& shift) {
    ctx->save_for_backward({shift});
    return move_frames(data, shift);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grad_output) {
    return {move_frames(grad_output[0], ctx->get_saved_variables()[0]), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor tin_shift(const torch::Tensor& data, const torch::Tensor& shift) {
  TORCH_CHECK(data.dim() == 4 && shift.dim() == 2,
              "tin_shift: data must be [N, T, C, HW] "
              "and shift [N, G]");
  TORCH_CHECK(data.size(0) == shift.size(0),
              "tin_shift: the first dim (batch) of input and "
              "shift should be same, but got ",
              data.size(0), " and ", shift.size(0));
  int64_t c = data.size(2), groups = shift.size(1);
  TORCH_CHECK(groups > 0 && c / groups > 0 && c % groups == 0,
              "tin_shift: C should be a multiple of the shift groups, but got C=", c, " and ",
              groups, " groups");
  return TINShiftFunction::apply(data, shift);
}

torch::Tensor linear_sampler(const torch::Tensor& data, const torch::Tensor& offset) {
  int64_t n = data.size(0), t = data.size(1), c = data.size(2), h = data.size(3), w = data.size(4);
  torch::Tensor offset0 = torch::floor(offset).to(torch::kInt);
  torch::Tensor offset1 = offset0 + 1;
  torch::Tensor flat = data.view({n, t, c, h * w}).contiguous();
  torch::Tensor data0 = tin_shift(flat, offset0);
  torch::Tensor data1 = tin_shift(flat, offset1);
  torch::Tensor weight0 = 1 - (offset - offset0.to(torch::kFloat));
  torch::Tensor weight1 = 1 - weight0;
  int64_t groups = offset.size(1);
  auto per_channel = [&](const torch::Tensor& weight) {  // [N, G] -> [N, 1, C, 1]
    return weight.unsqueeze(2).repeat({1, 1, c / groups}).view({n, -1}).view({n, 1, -1, 1});
  };
  return (per_channel(weight0) * data0 + per_channel(weight1) * data1).view({n, t, c, h, w});
}

WeightNetImpl::WeightNetImpl(int64_t in_channels, int64_t groups) : groups_(groups) {
  conv_ = register_module(
      "conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(in_channels, groups, 3).padding(1)));
  torch::NoGradGuard no_grad;
  conv_->bias.zero_();
}

torch::Tensor WeightNetImpl::forward(const torch::Tensor& x) {
  int64_t n = x.size(0), t = x.size(2);
  return 2 * torch::sigmoid(conv_(x).view({n, groups_, t}).permute({0, 2, 1}));
}

OffsetNetImpl::OffsetNetImpl(int64_t in_channels, int64_t groups, int64_t num_segments) {
  conv_ = register_module(
      "conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(in_channels, 1, 3).padding(1)));
  fc1_ = register_module("fc1", torch::nn::Linear(num_segments, num_segments));
  fc2_ = register_module("fc2", torch::nn::Linear(num_segments, groups));
  torch::NoGradGuard no_grad;
  fc2_->bias.fill_(0.5108);
}

torch::Tensor OffsetNetImpl::forward(const torch::Tensor& x) {
  int64_t n = x.size(0), t = x.size(2);
  torch::Tensor y = fc2_(torch::relu(fc1_(conv_(x).view({n, t}))));
  return 4 * (torch::sigmoid(y.view({n, 1, -1})) - 0.5);
}

TemporalInterlaceImpl::TemporalInterlaceImpl(int64_t in_channels, int64_t num_segments,
                                             int64_t shift_div)
    : num_segments_(num_segments), shift_div_(shift_div) {
  // Two offset groups, each used forward and backward: four channel groups.
  constexpr int64_t kDeformGroups = 2;
  offset_net_ = register_module("offset_net",
                                OffsetNet(in_channels / shift_div, kDeformGroups, num_segments));
  weight_net_ = register_module("weight_net", WeightNet(in_channels / shift_div, kDeformGroups));
}

torch::Tensor TemporalInterlaceImpl::forward(const torch::Tensor& x) {
  int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  TORCH_CHECK(n % num_segments_ == 0, "TemporalInterlace: batch ", n, " is not a multiple of ",
              num_segments_, " segments");
  int64_t batches = n / num_segments_, folds = c / shift_div_;
  using torch::indexing::Slice;
  torch::Tensor descriptor =
      x.index({Slice(), Slice(0, folds)}).reshape({batches, num_segments_, folds, h, w});
  torch::Tensor pooled = descriptor.mean(3).mean(3).permute({0, 2, 1}).contiguous();  // [B, F, T]
  torch::Tensor offset = offset_net_(pooled).view({batches, -1});
  torch::Tensor weight = weight_net_(pooled);  // [B, T, 2]
  offset = torch::cat({offset, -offset}, 1);
  torch::Tensor shifted = linear_sampler(descriptor, offset);
  // Weights of groups 0..3 are those of offsets o0, o1, o0, o1.
  weight = weight.unsqueeze(3).repeat({1, 1, 2, folds / 2 / 2}).view({batches, num_segments_, -1});
  shifted = (shifted * weight.unsqueeze(3).unsqueeze(4)).contiguous().view({n, folds, h, w});
  return torch::cat({shifted, x.index({Slice(), Slice(folds, torch::indexing::None)})}, 1);
}

CombineNetImpl::CombineNetImpl(TemporalInterlace net1, torch::nn::AnyModule net2)
    : net1_(register_module("net1", std::move(net1))), net2_(std::move(net2)) {
  register_module("net2", net2_.ptr());
}

torch::Tensor CombineNetImpl::forward(const torch::Tensor& x) {
  return net2_.forward(net1_(x));
}

namespace {

ResNetTSMOptions without_tsm_changes(ResNetTSMOptions tsm) {
  return tsm.is_shift(false).temporal_pool(false).non_local_cfg(std::nullopt);
}

}  // namespace

ResNetTINImpl::ResNetTINImpl(const ResNetOptions& resnet, const ResNetTSMOptions& tsm,
                             const ResNetTINOptions& tin)
    : ResNetTSMImpl(resnet, without_tsm_changes(tsm)), tin_options(tin) {
  // MMAction2's ResNetTIN overwrites these after ResNetTSM's constructor.
  tsm_options.num_segments(tin.num_segments()).shift_div(tin.shift_div());
  if (tin.is_tin()) {
    if (tin.num_segments() <= 0)
      throw ConfigError(resnet.path() + ": num_segments must be positive");
    for (const auto& stage : res_layers()) {
      for (const auto& block : *stage) {
        auto conv1 = block.ptr()->named_children()["conv1"]->as<ConvModuleImpl>();
        conv1->replace_conv(torch::nn::AnyModule(CombineNet(
            TemporalInterlace(conv1->options.in_channels(), tin.num_segments(), tin.shift_div()),
            conv1->conv_layer())));
      }
    }
  }
  tsm_options.non_local_cfg(tsm.non_local_cfg());
  if (tsm.non_local_cfg()) make_non_local();
}

namespace {

std::shared_ptr<Backbone> build_resnet_tin(Args& args) {
  ResNetTINOptions tin;
  tin.num_segments(args.get<int64_t>("num_segments", 8))
      .is_tin(args.get("is_tin", true))
      .shift_div(args.get<int64_t>("shift_div", 4));
  ResNetTSMOptions tsm = read_resnet_tsm_options(args, /*with_common=*/false);
  return std::make_shared<ResNetTINImpl>(ResNetOptions::from_config(args), tsm, tin);
}

}  // namespace

TUBELET_REGISTER(BACKBONES, ResNetTIN, build_resnet_tin);

}  // namespace tubelet
