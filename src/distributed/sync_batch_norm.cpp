#include "tubelet/distributed/sync_batch_norm.h"

#include <torch/csrc/autograd/custom_function.h>

namespace tubelet::dist {

namespace {

// [C] statistics shaped to broadcast against [N, C, ...].
torch::Tensor per_channel(const torch::Tensor& t, int64_t dims) {
  std::vector<int64_t> shape(static_cast<size_t>(dims), 1);
  shape[1] = t.size(0);
  return t.reshape(shape);
}

std::vector<int64_t> reduce_dims(const torch::Tensor& x) {
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  return dims;
}

// The group lives as long as the run; autograd's saved data holds IValues, so its address
// travels as an integer.
ProcessGroup& group_of(torch::autograd::AutogradContext* ctx) {
  return *reinterpret_cast<ProcessGroup*>(ctx->saved_data["group"].toInt());
}

torch::Tensor all_reduce_sum(const torch::Tensor& t, ProcessGroup& group, const char* what) {
  std::vector<torch::Tensor> tensors{t.contiguous()};
  wait_for(group.allreduce(tensors), what, group);
  return tensors[0];
}

class SyncBatchNormFunction : public torch::autograd::Function<SyncBatchNormFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x,
                               torch::Tensor weight, torch::Tensor bias, torch::Tensor running_mean,
                               torch::Tensor running_var, double momentum, double eps,
                               int64_t group_address) {
    auto& group = *reinterpret_cast<ProcessGroup*>(group_address);
    const auto dims = reduce_dims(x);
    const int64_t channels = x.size(1);
    auto xd = x.to(torch::kDouble);
    const double local_count = static_cast<double>(x.numel() / std::max<int64_t>(channels, 1));
    auto stats = torch::cat(
        {xd.sum(dims), xd.pow(2).sum(dims), torch::full({1}, local_count, torch::kDouble)});
    stats = all_reduce_sum(stats, group, "SyncBN statistics all-reduce");
    const double count = stats[2 * channels].item<double>();
    if (count <= 1)
      throw std::runtime_error("SyncBN: expected more than 1 value per channel when training");
    auto mean = stats.narrow(0, 0, channels) / count;
    auto var = (stats.narrow(0, channels, channels) / count - mean * mean).clamp_min(0);
    auto invstd = (var + eps).rsqrt();
    {
      torch::NoGradGuard no_grad;
      running_mean.mul_(1 - momentum).add_(mean.to(running_mean.dtype()), momentum);
      running_var.mul_(1 - momentum)
          .add_((var * (count / (count - 1))).to(running_var.dtype()), momentum);
    }
    mean = mean.to(x.dtype());
    invstd = invstd.to(x.dtype());
    auto y = (x - per_channel(mean, x.dim())) * per_channel(invstd, x.dim());
    y = y * per_channel(weight, x.dim()) + per_channel(bias, x.dim());
    ctx->save_for_backward({x, weight, mean, invstd});
    ctx->saved_data["group"] = group_address;
    ctx->saved_data["count"] = count;
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& weight = saved[1];
    const auto& mean = saved[2];
    const auto& invstd = saved[3];
    const double count = ctx->saved_data["count"].toDouble();
    auto dy = grads[0];
    const auto dims = reduce_dims(x);
    const int64_t d = x.dim();
    auto xmu = x - per_channel(mean, d);
    // Local sums; weight and bias gradients stay local (DDP averages them).
    auto sum_dy = dy.sum(dims);
    auto sum_dy_xmu = (dy * xmu).sum(dims);
    auto grad_weight = sum_dy_xmu * invstd;
    auto grad_bias = sum_dy;
    auto both = all_reduce_sum(torch::cat({sum_dy, sum_dy_xmu}), group_of(ctx),
                               "SyncBN gradient all-reduce");
    const int64_t c = x.size(1);
    auto mean_dy = both.narrow(0, 0, c) / count;
    auto mean_dy_xmu = both.narrow(0, c, c) / count;
    auto scale = invstd * weight;
    auto grad_input =
        (dy - per_channel(mean_dy, d) - xmu * per_channel(invstd * invstd * mean_dy_xmu, d)) *
        per_channel(scale, d);
    return {grad_input,      grad_weight,     grad_bias,       torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor sync_batch_norm(const torch::Tensor& input, const torch::Tensor& weight,
                              const torch::Tensor& bias, torch::Tensor running_mean,
                              torch::Tensor running_var, double momentum, double eps,
                              ProcessGroup& group) {
  if (input.dim() < 2)
    throw std::invalid_argument("SyncBN expects at least 2D input (got " +
                                std::to_string(input.dim()) + "D)");
  // Autograd functions take defined tensors: no affine is weight 1 and bias 0 (without grad).
  const auto options = input.options();
  const int64_t c = input.size(1);
  return SyncBatchNormFunction::apply(
      input, weight.defined() ? weight : torch::ones({c}, options),
      bias.defined() ? bias : torch::zeros({c}, options),
      running_mean.defined() ? running_mean : torch::zeros({c}, options),
      running_var.defined() ? running_var : torch::ones({c}, options), momentum, eps,
      reinterpret_cast<int64_t>(&group));
}

}  // namespace tubelet::dist
