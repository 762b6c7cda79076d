// What recognizers need from a head registered in HEADS: class scores from features, and
// MMAction2's BaseHead.loss on them.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tubelet/models/loss.h"

namespace tubelet {

// BaseHead's loss settings.
struct HeadLossOptions {
  int64_t num_classes = 0;
  bool multi_class = false;
  double label_smooth_eps = 0.0;
  std::vector<int64_t> topk{1, 5};
};

// Named losses and metrics in MMAction2's order ("top1_acc", "top5_acc", "loss_cls").
using LossDict = std::vector<std::pair<std::string, torch::Tensor>>;

class Head : public torch::nn::Module {
 public:
  // `num_segs` is how many segments (clips) of one video are stacked along the batch.
  virtual torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) = 0;

  // What recognizers call: every feature map the backbone returned, in its order (e.g.
  // ResNet3dSlowFast's (slow, fast)). Heads that read one map need not override it: the
  // default passes the last one to forward_scores. Heads that read several (SlowFastHead)
  // override it, and their forward_scores says what they expect instead.
  virtual torch::Tensor forward_scores_from(const std::vector<torch::Tensor>& feats,
                                            int64_t num_segs);

  // BaseHead.loss: top-k accuracies for single-label targets, label smoothing for
  // multi-class ones, then loss_cls.
  LossDict loss(const torch::Tensor& cls_score, const torch::Tensor& labels,
                const LossDict& aux = {});

 protected:
  // Called by the concrete head's constructor; registers the loss as "loss_cls".
  void set_loss(std::shared_ptr<Loss> loss_cls, HeadLossOptions options);
  // The classifier every MMAction2 head ends with: "dropout" (unless the ratio is 0), then
  // "fc_cls", initialised normal(0, init_std) with a zero bias.
  void set_classifier(int64_t in_channels, int64_t num_classes, double dropout_ratio,
                      double init_std);
  // Dropout, flatten to [N, C], fc_cls.
  torch::Tensor classify(const torch::Tensor& x);

 private:
  torch::nn::Linear fc_cls_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  std::shared_ptr<Loss> loss_cls_;
  HeadLossOptions loss_options_;
};

}  // namespace tubelet
