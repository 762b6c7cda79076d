#include "tubelet/models/losses/ohem_hinge_loss.h"

#include <torch/torch.h>

#include <string>

namespace tubelet {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Column labels - 1 of every row, with -1 wrapping to the last column.
torch::Tensor label_columns(const torch::Tensor& labels, int64_t num_columns) {
  torch::Tensor column = labels.to(torch::kLong) - 1;
  return torch::where(column < 0, column + num_columns, column);
}

class OHEMHingeFunction : public torch::autograd::Function<OHEMHingeFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& pred,
                               const torch::Tensor& labels, int64_t is_positive, double ohem_ratio,
                               int64_t group_size) {
    int64_t num_samples = pred.size(0);
    if (num_samples != labels.numel())
      throw std::invalid_argument(
          "OHEMHingeLoss: number of samples should be equal to that of labels, but got " +
          std::to_string(num_samples) + " samples and " + std::to_string(labels.numel()) +
          " labels");
    if (group_size <= 0 || num_samples % group_size != 0)
      throw std::invalid_argument("OHEMHingeLoss: " + std::to_string(num_samples) +
                                  " samples do not split into groups of " +
                                  std::to_string(group_size));
    torch::Tensor column = label_columns(labels.reshape({-1}), pred.size(1));
    torch::Tensor picked =
        pred.detach().to(torch::kFloat).gather(1, column.unsqueeze(1)).view({-1});
    torch::Tensor losses = torch::clamp_min(1 - is_positive * picked, 0);
    torch::Tensor slopes = torch::where(losses != 0, torch::full_like(losses, -is_positive),
                                        torch::zeros_like(losses));
    auto [sorted, indices] = torch::sort(losses.view({-1, group_size}), 1, /*descending=*/true);
    auto keep = static_cast<int64_t>(group_size * ohem_ratio);
    using torch::indexing::Slice;
    torch::Tensor loss = sorted.index({Slice(), Slice(0, keep)}).sum().reshape({1});
    ctx->save_for_backward({indices.index({Slice(), Slice(0, keep)}), column, slopes});
    ctx->saved_data["rows"] = pred.size(0);
    ctx->saved_data["columns"] = pred.size(1);
    ctx->saved_data["group_size"] = group_size;
    return loss;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_output) {
    auto saved = ctx->get_saved_variables();
    const torch::Tensor& kept = saved[0];
    const torch::Tensor& column = saved[1];
    const torch::Tensor& slopes = saved[2];
    int64_t group_size = ctx->saved_data["group_size"].toInt();
    torch::Tensor grad_in = torch::zeros(
        {ctx->saved_data["rows"].toInt(), ctx->saved_data["columns"].toInt()}, slopes.options());
    // Row of each kept entry within the whole batch.
    torch::Tensor offsets = torch::arange(kept.size(0), kept.options()).unsqueeze(1) * group_size;
    torch::Tensor rows = (kept + offsets).reshape({-1});
    torch::Tensor cols = column.index_select(0, rows);
    grad_in.index_put_({rows, cols},
                       slopes.index_select(0, rows) * grad_output[0].reshape({-1})[0]);
    return {grad_in, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor ohem_hinge_loss(const torch::Tensor& pred, const torch::Tensor& labels,
                              int64_t is_positive, double ohem_ratio, int64_t group_size) {
  return OHEMHingeFunction::apply(pred, labels, is_positive, ohem_ratio, group_size);
}

}  // namespace tubelet
