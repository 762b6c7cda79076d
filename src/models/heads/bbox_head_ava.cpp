#include "tubelet/models/heads/bbox_head_ava.h"

#include <torch/torch.h>

#include <stdexcept>

namespace tubelet {

BBoxHeadAVAOptions BBoxHeadAVAOptions::from_config(Args& args) {
  BBoxHeadAVAOptions o;
  o.temporal_pool_type(args.get("temporal_pool_type", o.temporal_pool_type()));
  o.spatial_pool_type(args.get("spatial_pool_type", o.spatial_pool_type()));
  o.in_channels(args.get("in_channels", o.in_channels()));
  o.focal_gamma(args.get("focal_gamma", o.focal_gamma()));
  o.focal_alpha(args.get("focal_alpha", o.focal_alpha()));
  o.num_classes(args.get("num_classes", o.num_classes()));
  o.dropout_ratio(args.get("dropout_ratio", o.dropout_ratio()));
  o.dropout_before_pool(args.get("dropout_before_pool", o.dropout_before_pool()));
  if (const Value* topk = args.find("topk")) {
    // MMAction2 takes None, an int or a tuple of ints (a list is a TypeError there).
    if (topk->is_none())
      o.topk({});
    else if (topk->is_int())
      o.topk({topk->as_int()});
    else if (topk->is_tuple()) {
      std::vector<int64_t> ks;
      for (const Value& k : topk->as_list()) {
        if (!k.is_int()) throw args.error("topk", "topk should be int or tuple[int]");
        ks.push_back(k.as_int());
      }
      o.topk(ks);
    } else {
      throw args.error("topk", "topk should be int or tuple[int]");
    }
  }
  o.multilabel(args.get("multilabel", o.multilabel()));
  for (const char* key : {"temporal_pool_type", "spatial_pool_type"}) {
    const std::string& v =
        std::string(key) == "temporal_pool_type" ? o.temporal_pool_type() : o.spatial_pool_type();
    if (v != "avg" && v != "max")
      throw args.error(key, std::string(key) + " must be 'avg' or 'max', got '" + v + "'");
  }
  if (o.in_channels() <= 0) throw args.error("in_channels", "in_channels must be positive");
  if (o.num_classes() <= 1)
    throw args.error("num_classes", "num_classes must be at least 2 (class 0 is reserved)");
  for (int64_t k : o.topk())
    if (k < 1 || k >= o.num_classes())
      throw args.error("topk", "every topk must be in [1, num_classes) (class 0 is ignored), got " +
                                   std::to_string(k));
  if (o.dropout_ratio() < 0 || o.dropout_ratio() > 1)
    throw args.error("dropout_ratio", "dropout_ratio must be in [0, 1]");
  return o;
}

BBoxHeadAVAImpl::BBoxHeadAVAImpl(const BBoxHeadAVAOptions& o) : options(o) {
  if (o.dropout_ratio() > 0)
    dropout = register_module("dropout", torch::nn::Dropout(o.dropout_ratio()));
  fc_cls = register_module("fc_cls", torch::nn::Linear(o.in_channels(), o.num_classes()));
  init_weights();
}

void BBoxHeadAVAImpl::init_weights() {
  torch::NoGradGuard no_grad;
  torch::nn::init::normal_(fc_cls->weight, 0, 0.01);
  torch::nn::init::zeros_(fc_cls->bias);
}

torch::Tensor BBoxHeadAVAImpl::forward(const torch::Tensor& input) {
  if (!input.defined() || input.dim() != 5 || input.size(1) != options.in_channels())
    throw std::invalid_argument("BBoxHeadAVA: expects RoI features [K, in_channels=" +
                                std::to_string(options.in_channels()) + ", T, H, W], got " +
                                (input.defined() ? c10::str(input.sizes()) : "undefined"));
  torch::Tensor x = input;
  const bool drop = options.dropout_ratio() > 0;
  if (drop && options.dropout_before_pool()) x = dropout->forward(x);
  // AdaptiveAvg/MaxPool3d((1, None, None)) then ((None, 1, 1)).
  x = options.temporal_pool_type() == "avg" ? x.mean(2, true) : std::get<0>(x.max(2, true));
  x = options.spatial_pool_type() == "avg" ? x.mean({3, 4}, true) : x.amax({3, 4}, true);
  if (drop && !options.dropout_before_pool()) x = dropout->forward(x);
  return fc_cls->forward(x.view({x.size(0), -1}));
}

std::pair<torch::Tensor, torch::Tensor> BBoxHeadAVAImpl::get_recall_prec(
    const torch::Tensor& pred, const torch::Tensor& target) {
  torch::Tensor correct = pred & target;
  torch::Tensor recall = correct.sum(1) / target.sum(1).to(torch::kFloat);
  torch::Tensor prec = correct.sum(1) / (pred.sum(1) + 1e-6);
  return {recall.mean(), prec.mean()};
}

torch::Tensor BBoxHeadAVAImpl::topk_to_matrix(const torch::Tensor& probs, int64_t k) {
  torch::Tensor labels = std::get<1>(probs.topk(k, 1, true, true));
  return torch::zeros(probs.sizes(), probs.options().dtype(torch::kBool)).scatter_(1, labels, true);
}

NamedTensors BBoxHeadAVAImpl::loss(const torch::Tensor& cls_score,
                                   const torch::Tensor& all_labels) const {
  if (cls_score.dim() != 2 || cls_score.size(1) != options.num_classes())
    throw std::invalid_argument("BBoxHeadAVA.loss: cls_score must be [K, num_classes=" +
                                std::to_string(options.num_classes()) + "], got " +
                                c10::str(cls_score.sizes()));
  if (all_labels.sizes() != cls_score.sizes())
    throw std::invalid_argument("BBoxHeadAVA.loss: labels " + c10::str(all_labels.sizes()) +
                                " do not match cls_score " + c10::str(cls_score.sizes()));
  torch::Tensor labels = all_labels.to(cls_score.device()).slice(1, 1);
  torch::Tensor pos = labels.sum(-1) > 0;
  torch::Tensor score = cls_score.index({pos}).slice(1, 1);
  labels = labels.index({pos});

  NamedTensors losses;
  // topk_accuracy(score, labels, thr=0.5), on the labels before any normalisation.
  {
    torch::NoGradGuard no_grad;
    torch::Tensor target = labels > 0.5;
    torch::Tensor prob = options.multilabel() ? score.sigmoid() : score.softmax(1);
    torch::Tensor pred = options.multilabel() ? prob > 0.5 : topk_to_matrix(prob, 1);
    auto [recall_thr, prec_thr] = get_recall_prec(pred, target);
    losses.emplace_back("recall@thr=0.5", recall_thr);
    losses.emplace_back("prec@thr=0.5", prec_thr);
    std::vector<std::pair<torch::Tensor, torch::Tensor>> at_k;
    for (int64_t k : options.topk())
      at_k.push_back(get_recall_prec(topk_to_matrix(prob, k), target));
    for (size_t i = 0; i < at_k.size(); ++i) {
      const std::string k = std::to_string(options.topk()[i]);
      losses.emplace_back("recall@top" + k, at_k[i].first);
      losses.emplace_back("prec@top" + k, at_k[i].second);
    }
  }
  torch::Tensor loss;
  if (options.multilabel()) {
    loss = torch::binary_cross_entropy_with_logits(score, labels, {}, {}, at::Reduction::None);
  } else {
    labels = labels / labels.sum(1, true);
    loss = torch::cross_entropy_loss(score, labels, {}, at::Reduction::None);
  }
  torch::Tensor pt = torch::exp(-loss);
  torch::Tensor focal = options.focal_alpha() * torch::pow(1 - pt, options.focal_gamma()) * loss;
  losses.emplace_back("loss_action_cls", torch::mean(focal));
  return losses;
}

AVADetBoxes BBoxHeadAVAImpl::get_det_bboxes(const torch::Tensor& rois,
                                            const torch::Tensor& cls_score,
                                            std::pair<double, double> img_shape, bool flip,
                                            const std::vector<double>& crop_quadruple) const {
  if (rois.dim() != 2 || rois.size(1) != 5)
    throw std::invalid_argument("BBoxHeadAVA.get_det_bboxes: rois must be [K, 5], got " +
                                c10::str(rois.sizes()));
  if (crop_quadruple.size() != 4)
    throw std::invalid_argument("BBoxHeadAVA.get_det_bboxes: crop_quadruple must hold 4 values");
  AVADetBoxes out;
  if (cls_score.defined())
    out.scores = options.multilabel() ? cls_score.sigmoid() : cls_score.softmax(-1);
  const auto [img_h, img_w] = img_shape;
  torch::Tensor b = rois.slice(1, 1).clone();
  if (flip) {
    torch::Tensor flipped = b.clone();
    flipped.select(1, 0).copy_(img_w - 1 - b.select(1, 2));
    flipped.select(1, 2).copy_(img_w - 1 - b.select(1, 0));
    b = flipped;
  }
  b.slice(1, 0, 4, 2).div_(img_w);
  b.slice(1, 1, 4, 2).div_(img_h);
  torch::Tensor decropped = b.clone();
  decropped.slice(1, 0, 4, 2).copy_(b.slice(1, 0, 4, 2) * crop_quadruple[2] + crop_quadruple[0]);
  decropped.slice(1, 1, 4, 2).copy_(b.slice(1, 1, 4, 2) * crop_quadruple[3] + crop_quadruple[1]);
  out.bboxes = decropped;
  return out;
}

}  // namespace tubelet
