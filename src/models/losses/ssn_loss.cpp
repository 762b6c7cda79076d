#include "tubelet/models/losses/ssn_loss.h"

#include <torch/torch.h>

#include <stdexcept>

#include "tubelet/models/losses/ohem_hinge_loss.h"
#include "tubelet/models/registries.h"

namespace tubelet {

using torch::indexing::Slice;

torch::Tensor ssn_activity_loss(const torch::Tensor& activity_score, const torch::Tensor& labels,
                                const torch::Tensor& activity_indexer) {
  torch::Tensor pred = activity_score.index_select(0, activity_indexer);
  torch::Tensor gt = labels.index_select(0, activity_indexer).to(torch::kLong);
  return torch::nn::functional::cross_entropy(pred, gt);
}

torch::Tensor ssn_completeness_loss(const torch::Tensor& completeness_score,
                                    const torch::Tensor& labels,
                                    const torch::Tensor& completeness_indexer,
                                    int64_t positive_per_video, int64_t incomplete_per_video,
                                    double ohem_ratio) {
  const int64_t group = positive_per_video + incomplete_per_video;
  torch::Tensor pred = completeness_score.index_select(0, completeness_indexer);
  torch::Tensor gt = labels.index_select(0, completeness_indexer);
  if (group <= 0 || pred.size(0) % group != 0)
    throw std::invalid_argument(
        "SSNLoss: the " + std::to_string(pred.size(0)) +
        " positive and incomplete proposals do not form groups of positive_per_video + "
        "incomplete_per_video = " +
        std::to_string(group) + " per video");
  const int64_t pred_dim = pred.size(1);
  pred = pred.view({-1, group, pred_dim});
  gt = gt.view({-1, group});
  torch::Tensor positive_pred = pred.index({Slice(), Slice(0, positive_per_video), Slice()})
                                    .contiguous()
                                    .view({-1, pred_dim});
  torch::Tensor incomplete_pred =
      pred.index({Slice(), Slice(positive_per_video), Slice()}).contiguous().view({-1, pred_dim});
  torch::Tensor positive_loss = ohem_hinge_loss(
      positive_pred, gt.index({Slice(), Slice(0, positive_per_video)}).contiguous().view(-1), 1,
      1.0, positive_per_video);
  torch::Tensor incomplete_loss = ohem_hinge_loss(
      incomplete_pred, gt.index({Slice(), Slice(positive_per_video)}).contiguous().view(-1), -1,
      ohem_ratio, incomplete_per_video);
  const int64_t num_positives = positive_pred.size(0);
  const auto num_incompletes =
      static_cast<int64_t>(static_cast<double>(incomplete_pred.size(0)) * ohem_ratio);
  return (positive_loss + incomplete_loss) / static_cast<double>(num_positives + num_incompletes);
}

torch::Tensor ssn_classwise_regression_loss(const torch::Tensor& bbox_pred,
                                            const torch::Tensor& labels,
                                            const torch::Tensor& bbox_targets,
                                            const torch::Tensor& regression_indexer) {
  torch::Tensor pred = bbox_pred.index_select(0, regression_indexer);
  torch::Tensor gt = labels.index_select(0, regression_indexer).to(torch::kLong);
  torch::Tensor reg_target = bbox_targets.index_select(0, regression_indexer);
  // MMAction2 takes pred[:, gt - 1, :] and its diagonal: row i's column gt[i] - 1 (label 0
  // wraps to the last class, as Python's -1 does).
  torch::Tensor class_idx = gt - 1;
  torch::Tensor classwise_pred = pred.index({Slice(), class_idx, Slice()});
  torch::Tensor classwise_reg_pred =
      torch::cat({torch::diag(classwise_pred.select(2, 0)).view({-1, 1}),
                  torch::diag(classwise_pred.select(2, 1)).view({-1, 1})},
                 1);
  return torch::nn::functional::smooth_l1_loss(classwise_reg_pred.view(-1),
                                               reg_target.reshape(-1)) *
         2;
}

std::vector<std::pair<std::string, torch::Tensor>> SSNLossImpl::forward(
    const torch::Tensor& activity_score, const torch::Tensor& completeness_score,
    const torch::Tensor& bbox_pred, const torch::Tensor& proposal_type_in,
    const torch::Tensor& labels_in, const torch::Tensor& bbox_targets, const SSNLossConfig& cfg) {
  torch::Tensor proposal_type = proposal_type_in.reshape(-1);
  torch::Tensor labels = labels_in.reshape(-1);
  torch::Tensor activity_indexer =
      ((proposal_type == 0) | (proposal_type == 2)).nonzero().squeeze(1);
  torch::Tensor completeness_indexer =
      ((proposal_type == 0) | (proposal_type == 1)).nonzero().squeeze(1);
  const double total_ratio = cfg.positive_ratio + cfg.background_ratio + cfg.incomplete_ratio;
  const auto positive_per_video = static_cast<int64_t>(static_cast<double>(cfg.num_per_video) *
                                                       (cfg.positive_ratio / total_ratio));
  const auto background_per_video = static_cast<int64_t>(static_cast<double>(cfg.num_per_video) *
                                                         (cfg.background_ratio / total_ratio));
  const int64_t incomplete_per_video =
      cfg.num_per_video - positive_per_video - background_per_video;
  if (incomplete_per_video <= 0)
    throw std::invalid_argument(
        "SSNLoss: train_cfg.ssn.sampler leaves no incomplete proposals per video "
        "(num_per_video=" +
        std::to_string(cfg.num_per_video) + "); MMAction2 divides by their number");

  std::vector<std::pair<std::string, torch::Tensor>> losses;
  losses.emplace_back("loss_activity", ssn_activity_loss(activity_score, labels, activity_indexer));
  torch::Tensor completeness = ssn_completeness_loss(
      completeness_score, labels, completeness_indexer, positive_per_video, incomplete_per_video,
      static_cast<double>(positive_per_video) / static_cast<double>(incomplete_per_video));
  losses.emplace_back("loss_completeness", completeness * cfg.comp_loss_weight);
  if (bbox_pred.defined()) {
    torch::Tensor regression_indexer = (proposal_type == 0).nonzero().squeeze(1);
    torch::Tensor reg = ssn_classwise_regression_loss(
        bbox_pred, labels, bbox_targets.reshape({-1, 2}), regression_indexer);
    losses.emplace_back("loss_reg", reg * cfg.reg_loss_weight);
  }
  return losses;
}

namespace {

std::shared_ptr<Loss> build_ssn_loss(Args&) {
  return std::make_shared<SSNLossImpl>();
}

}  // namespace

TUBELET_REGISTER(LOSSES, SSNLoss, build_ssn_loss);

}  // namespace tubelet
