// MMAction2's HVULoss: binary cross entropy on logits for HVU's multi-category tags, over
// all tags at once ('all') or per tag category with normalised category weights
// ('individual'), optionally ignoring the categories a video is not labelled for.
#pragma once

#include <string>
#include <vector>

#include "tubelet/models/head.h"
#include "tubelet/models/loss.h"

namespace tubelet {

struct HVULossOptions {
  TORCH_ARG(std::vector<std::string>, categories) = {"action", "attribute", "concept",
                                                     "event",  "object",    "scene"};
  TORCH_ARG(std::vector<int64_t>, category_nums) = {739, 117, 291, 69, 1678, 248};
  TORCH_ARG(std::vector<double>, category_loss_weights) = {1, 1, 1, 1, 1, 1};
  /// "all" or "individual".
  TORCH_ARG(std::string, loss_type) = "all";
  TORCH_ARG(bool, with_mask) = false;
  /// "mean" or "sum".
  TORCH_ARG(std::string, reduction) = "mean";
  TORCH_ARG(double, loss_weight) = 1.0;
};

class HVULossImpl : public Loss {
 public:
  explicit HVULossImpl(const HVULossOptions& options);

  // MMAction2's HVULoss.forward: `mask` [N, tags] is 0 where the tag's category is missing
  // for that video, `category_mask` [N, categories] 0 for a missing category. 'all' gives
  // {loss_cls}; 'individual' gives {<category>_LOSS..., loss_cls, <category>_LOSS_weight...}.
  // Only loss_cls is multiplied by loss_weight, as BaseWeightedLoss does for keys holding
  // "loss".
  LossDict forward(const torch::Tensor& cls_score, const torch::Tensor& label,
                   const torch::Tensor& mask, const torch::Tensor& category_mask);

  // loss_cls when no masks are needed (with_mask=False).
  torch::Tensor forward_loss(const torch::Tensor& score, const torch::Tensor& label) override;
  // With train_cfg.aux_info=['mask', 'category_mask'] (LoadHVULabel's tensors): forward().
  LossDict forward_with_aux(const torch::Tensor& score, const torch::Tensor& label,
                            const LossDict& aux) override;

  HVULossOptions options;

 private:
  LossDict all(const torch::Tensor& cls_score, const torch::Tensor& label,
               const torch::Tensor& mask);
  LossDict individual(const torch::Tensor& cls_score, const torch::Tensor& label,
                      const torch::Tensor& category_mask);
  std::vector<int64_t> category_start_;
};

}  // namespace tubelet
