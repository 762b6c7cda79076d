// MMAction2's BBoxHeadAVA (registered in mmdet's HEADS there): temporal and spatial pooling of
// RoI features, then fc_cls; its multi-label (sigmoid) or single-label (softmax) loss with
// an optional focal term, the recalls/precisions it logs, and get_det_bboxes.
#pragma once

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <string>
#include <utility>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/models/trainable.h"

namespace tubelet {

struct BBoxHeadAVAOptions {
  /// "avg" or "max".
  TORCH_ARG(std::string, temporal_pool_type) = "avg";
  TORCH_ARG(std::string, spatial_pool_type) = "max";
  TORCH_ARG(int64_t, in_channels) = 2048;
  TORCH_ARG(double, focal_gamma) = 0.;
  TORCH_ARG(double, focal_alpha) = 1.;
  /// Class 0 is reserved (a box being a person or not).
  TORCH_ARG(int64_t, num_classes) = 81;
  TORCH_ARG(double, dropout_ratio) = 0;
  TORCH_ARG(bool, dropout_before_pool) = true;
  TORCH_ARG(std::vector<int64_t>, topk) = std::vector<int64_t>{3, 5};
  TORCH_ARG(bool, multilabel) = true;

 public:
  static BBoxHeadAVAOptions from_config(Args& args);
};

// get_det_bboxes' result: boxes normalised to [0, 1] of the original frame, and class scores.
struct AVADetBoxes {
  torch::Tensor bboxes;  // [K, 4]
  torch::Tensor scores;  // [K, num_classes]
};

class BBoxHeadAVAImpl : public torch::nn::Module {
 public:
  explicit BBoxHeadAVAImpl(const BBoxHeadAVAOptions& options);

  // x [K, in_channels, T, H, W] -> class scores [K, num_classes] (no box regression).
  torch::Tensor forward(const torch::Tensor& x);

  // `labels` [K, num_classes] multi-hot targets (bbox_target's), class 0 ignored; RoIs without
  // any positive class do not count. Returns recall@thr=0.5, prec@thr=0.5, recall@top{k},
  // prec@top{k} for each k, then loss_action_cls, in MMAction2's order.
  NamedTensors loss(const torch::Tensor& cls_score, const torch::Tensor& labels) const;

  // Recall and precision (micro-averaged per row, then the mean) of bool [K, C] predictions.
  static std::pair<torch::Tensor, torch::Tensor> get_recall_prec(const torch::Tensor& pred,
                                                                 const torch::Tensor& target);
  // The k best columns of each row as a bool matrix.
  static torch::Tensor topk_to_matrix(const torch::Tensor& probs, int64_t k);

  // rois [K, 5] in the network input's pixels; img_shape (h, w) of that input; `flip` undoes a
  // horizontal flip; crop_quadruple (x1, y1, w, h) undoes a crop, in [0, 1] units.
  AVADetBoxes get_det_bboxes(const torch::Tensor& rois, const torch::Tensor& cls_score,
                             std::pair<double, double> img_shape, bool flip,
                             const std::vector<double>& crop_quadruple) const;

  void init_weights();

  BBoxHeadAVAOptions options;
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear fc_cls{nullptr};
};
TORCH_MODULE(BBoxHeadAVA);

}  // namespace tubelet
