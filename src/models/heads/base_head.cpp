#include "tubelet/models/heads/base_head.h"

#include "tubelet/evaluation/top_k_accuracy.h"
#include "tubelet/models/registries.h"
#include "tubelet/models/weight_init.h"

namespace tubelet {

std::shared_ptr<Loss> read_head_loss(Args& args) {
  Dict ce;
  ce.set("type", Value("CrossEntropyLoss"));
  ce.set("loss_weight", Value(1.0));
  Value cfg = args.get("loss_cls", Value(ce));
  return LOSSES().build(cfg, {args.path() + ".loss_cls"});
}

HeadLossOptions read_head_loss_options(Args& args) {
  HeadLossOptions o;
  o.num_classes = args.required<int64_t>("num_classes");
  // Checked here, before any layer is made: LibTorch's own message ("Trying to create tensor
  // with negative dimension") names neither the argument nor the config file.
  if (o.num_classes < 1)
    throw args.error("num_classes",
                     "num_classes must be positive, not " + std::to_string(o.num_classes));
  if (args.has("in_channels")) {
    const Value* in_channels = args.find("in_channels");
    if (in_channels->is_int() && in_channels->as_int() < 1)
      throw args.error("in_channels", "in_channels must be positive, not " +
                                          std::to_string(in_channels->as_int()));
  }
  o.multi_class = args.get("multi_class", false);
  o.label_smooth_eps = args.get("label_smooth_eps", 0.0);
  o.topk = args.get("topk", std::vector<int64_t>{1, 5});
  for (int64_t k : o.topk)
    if (k < 1) throw args.error("topk", "topk values must be positive");
  return o;
}

torch::Tensor Head::forward_scores_from(const std::vector<torch::Tensor>& feats, int64_t num_segs) {
  TORCH_CHECK(!feats.empty(), "the backbone returned no feature map for the head");
  return forward_scores(feats.back(), num_segs);
}

void Head::set_loss(std::shared_ptr<Loss> loss_cls, HeadLossOptions options) {
  loss_cls_ = register_module("loss_cls", std::move(loss_cls));
  loss_options_ = std::move(options);
}

void Head::set_classifier(int64_t in_channels, int64_t num_classes, double dropout_ratio,
                          double init_std) {
  if (dropout_ratio != 0) dropout_ = register_module("dropout", torch::nn::Dropout(dropout_ratio));
  fc_cls_ = register_module("fc_cls", torch::nn::Linear(in_channels, num_classes));
  normal_init(*fc_cls_, 0, init_std);
}

torch::Tensor Head::classify(const torch::Tensor& x) {
  torch::Tensor y = dropout_ ? dropout_(x) : x;
  return fc_cls_(y.flatten(1));
}

LossDict Head::loss(const torch::Tensor& cls_score, const torch::Tensor& labels_in,
                    const LossDict& aux) {
  TORCH_CHECK(loss_cls_, "this head has no loss_cls");
  torch::Tensor labels = labels_in;
  const HeadLossOptions& o = loss_options_;
  if (labels.dim() == 0) {
    labels = labels.unsqueeze(0);
  } else if (labels.dim() == 1 && labels.size(0) == o.num_classes && cls_score.size(0) == 1) {
    labels = labels.unsqueeze(0);  // one soft label for a batch of one
  }
  LossDict losses;
  if (!o.multi_class && cls_score.sizes() != labels.sizes()) {
    std::vector<double> acc = top_k_accuracy(cls_score, labels, o.topk);
    for (size_t i = 0; i < acc.size(); ++i)
      losses.emplace_back("top" + std::to_string(o.topk[i]) + "_acc",
                          torch::tensor(acc[i], cls_score.options().dtype(torch::kDouble)));
  } else if (o.multi_class && o.label_smooth_eps != 0) {
    labels = (1 - o.label_smooth_eps) * labels + o.label_smooth_eps / o.num_classes;
  }
  for (auto& item : loss_cls_->forward_with_aux(cls_score, labels, aux))
    losses.push_back(std::move(item));
  return losses;
}

int64_t read_avg_consensus_dim(Args& args) {
  const Value* consensus = args.find("consensus");
  if (!consensus) return 1;
  Args c(*consensus, "AvgConsensus", args.path() + ".consensus");
  std::string type = c.required<std::string>("type");
  if (type != "AvgConsensus")
    throw c.error("type", "only AvgConsensus is supported as consensus, got '" + type + "'");
  int64_t dim = c.get<int64_t>("dim", 1);
  c.finish();
  return dim;
}

}  // namespace tubelet
