#include "tubelet/models/losses/bmn_loss.h"

#include <torch/torch.h>

#include "tubelet/models/losses/binary_logistic_regression_loss.h"
#include "tubelet/models/registries.h"

namespace tubelet {

torch::Tensor bmn_tem_loss(const torch::Tensor& pred_start, const torch::Tensor& pred_end,
                           const torch::Tensor& gt_start, const torch::Tensor& gt_end) {
  return binary_logistic_regression_loss(pred_start, gt_start) +
         binary_logistic_regression_loss(pred_end, gt_end);
}

namespace {

// Keeps each entry of `candidates` with probability `rate` (a tensor: num_h / num_x, which
// MMAction2 leaves unclamped, so an empty class keeps everything through 1 - inf).
torch::Tensor subsample(const torch::Tensor& candidates, const torch::Tensor& rate) {
  torch::Tensor draw = candidates * torch::rand_like(candidates);
  return (draw > (1. - rate)).to(torch::kFloat);
}

}  // namespace

torch::Tensor bmn_pem_reg_loss(const torch::Tensor& pred_score, const torch::Tensor& gt_iou_map,
                               const torch::Tensor& mask, double high, double low) {
  torch::Tensor u_hmask = (gt_iou_map > high).to(torch::kFloat);
  torch::Tensor u_mmask = ((gt_iou_map <= high) & (gt_iou_map > low)).to(torch::kFloat);
  torch::Tensor u_lmask = ((gt_iou_map <= low) & (gt_iou_map > 0.)).to(torch::kFloat) * mask;
  torch::Tensor num_h = u_hmask.sum();
  torch::Tensor u_smmask = subsample(u_mmask, num_h / u_mmask.sum());
  torch::Tensor u_slmask = subsample(u_lmask, num_h / u_lmask.sum());
  torch::Tensor weights = u_hmask + u_smmask + u_slmask;
  torch::Tensor loss = torch::mse_loss(pred_score * weights, gt_iou_map * weights);
  return 0.5 * torch::sum(loss * torch::ones_like(weights)) / torch::sum(weights);
}

torch::Tensor bmn_pem_cls_loss(const torch::Tensor& pred_score, const torch::Tensor& gt_iou_map,
                               const torch::Tensor& mask, double threshold, double ratio_low,
                               double ratio_high, double eps) {
  torch::Tensor pmask = (gt_iou_map > threshold).to(torch::kFloat);
  torch::Tensor nmask = (gt_iou_map <= threshold).to(torch::kFloat) * mask;
  // Python's max(torch.sum(pmask), 1).
  torch::Tensor num_positive = torch::clamp_min(torch::sum(pmask), 1);
  torch::Tensor num_entries = num_positive + torch::sum(nmask);
  torch::Tensor ratio = torch::clamp(num_entries / num_positive, ratio_low, ratio_high);
  torch::Tensor coef_0 = 0.5 * ratio / (ratio - 1);
  torch::Tensor coef_1 = 0.5 * ratio;
  torch::Tensor loss_pos = coef_1 * torch::log(pred_score + eps) * pmask;
  torch::Tensor loss_neg = coef_0 * torch::log(1.0 - pred_score + eps) * nmask;
  return -1 * torch::sum(loss_pos + loss_neg) / num_entries;
}

BMNLossParts BMNLossImpl::forward(const torch::Tensor& pred_bm, const torch::Tensor& pred_start,
                                  const torch::Tensor& pred_end, const torch::Tensor& gt_iou_map,
                                  const torch::Tensor& gt_start, const torch::Tensor& gt_end,
                                  const torch::Tensor& bm_mask, const BMNLossWeights& w) {
  TORCH_CHECK(pred_bm.dim() == 4 && pred_bm.size(1) == 2,
              "BMNLoss: pred_bm must be [N, 2, T, T], got ", pred_bm.sizes());
  torch::Tensor pred_bm_reg = pred_bm.select(1, 0).contiguous();
  torch::Tensor pred_bm_cls = pred_bm.select(1, 1).contiguous();
  torch::Tensor iou_map = gt_iou_map * bm_mask;
  BMNLossParts parts;
  parts.pem_reg_loss = bmn_pem_reg_loss(pred_bm_reg, iou_map, bm_mask);
  parts.pem_cls_loss = bmn_pem_cls_loss(pred_bm_cls, iou_map, bm_mask);
  parts.tem_loss = bmn_tem_loss(pred_start, pred_end, gt_start, gt_end);
  parts.loss =
      w.tem * parts.tem_loss + w.pem_reg * parts.pem_reg_loss + w.pem_cls * parts.pem_cls_loss;
  return parts;
}

namespace {

std::shared_ptr<Loss> build_bmn_loss(Args&) {
  return std::make_shared<BMNLossImpl>();
}

}  // namespace

TUBELET_REGISTER(LOSSES, BMNLoss, build_bmn_loss);

}  // namespace tubelet
