#include "tubelet/models/losses/hvu_loss.h"

#include <torch/nn/functional/loss.h>
#include <torch/torch.h>

#include "tubelet/models/registries.h"

namespace tubelet {

namespace {

torch::Tensor bce_none(const torch::Tensor& score, const torch::Tensor& label) {
  return torch::nn::functional::binary_cross_entropy_with_logits(
      score, label,
      torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone));
}

}  // namespace

HVULossImpl::HVULossImpl(const HVULossOptions& o) : options(o) {
  if (o.category_nums().size() != o.category_loss_weights().size())
    throw std::invalid_argument(
        "HVULoss: category_nums and category_loss_weights differ in length");
  if (o.categories().size() < o.category_nums().size())
    throw std::invalid_argument("HVULoss: fewer categories than category_nums");
  for (double w : o.category_loss_weights())
    if (w < 0) throw std::invalid_argument("HVULoss: category_loss_weights must be >= 0");
  if (o.loss_type() != "all" && o.loss_type() != "individual")
    throw std::invalid_argument("HVULoss: loss_type should be 'all' or 'individual', but got '" +
                                o.loss_type() + "'");
  if (o.reduction() != "mean" && o.reduction() != "sum")
    throw std::invalid_argument("HVULoss: reduction should be 'mean' or 'sum', but got '" +
                                o.reduction() + "'");
  category_start_.push_back(0);
  for (size_t i = 0; i + 1 < o.category_nums().size(); ++i)
    category_start_.push_back(category_start_.back() + o.category_nums()[i]);
}

LossDict HVULossImpl::forward(const torch::Tensor& cls_score, const torch::Tensor& label,
                              const torch::Tensor& mask, const torch::Tensor& category_mask) {
  LossDict out = options.loss_type() == "all" ? all(cls_score, label, mask)
                                              : individual(cls_score, label, category_mask);
  for (auto& [key, value] : out)
    if (key.find("loss") != std::string::npos) value = value * options.loss_weight();
  return out;
}

torch::Tensor HVULossImpl::forward_loss(const torch::Tensor& score, const torch::Tensor& label) {
  if (options.with_mask())
    throw std::invalid_argument("HVULoss: with_mask=True needs the tag and category masks");
  for (auto& [key, value] : forward(score, label, {}, {}))
    if (key == "loss_cls") return value;
  return {};
}

LossDict HVULossImpl::forward_with_aux(const torch::Tensor& score, const torch::Tensor& label,
                                       const LossDict& aux) {
  torch::Tensor mask, category_mask;
  for (const auto& [name, tensor] : aux) {
    if (name == "mask")
      mask = tensor;
    else if (name == "category_mask")
      category_mask = tensor;
    else
      throw std::invalid_argument("HVULoss takes mask and category_mask, not '" + name +
                                  "' (train_cfg.aux_info)");
  }
  if (!mask.defined() && !category_mask.defined())
    return {{"loss_cls", forward_loss(score, label)}};
  if (!mask.defined() || !category_mask.defined())
    throw std::invalid_argument(
        "HVULoss needs both mask and category_mask in train_cfg.aux_info (LoadHVULabel makes "
        "them)");
  return forward(score, label, mask, category_mask);
}

LossDict HVULossImpl::all(const torch::Tensor& cls_score, const torch::Tensor& label,
                          const torch::Tensor& mask) {
  torch::Tensor loss = bce_none(cls_score, label);
  if (options.with_mask()) {
    torch::Tensor weighted = (mask * loss).sum(1);
    if (options.reduction() == "mean") weighted = weighted / mask.sum(1);
    return {{"loss_cls", weighted.mean()}};
  }
  if (options.reduction() == "sum") loss = loss.sum(-1);
  return {{"loss_cls", loss.mean()}};
}

LossDict HVULossImpl::individual(const torch::Tensor& cls_score, const torch::Tensor& label,
                                 const torch::Tensor& category_mask) {
  using torch::indexing::Slice;
  LossDict losses;
  std::vector<double> weights;
  for (size_t i = 0; i < options.category_nums().size(); ++i) {
    const std::string name = options.categories()[i] + "_LOSS";
    int64_t start = category_start_[i], end = start + options.category_nums()[i];
    torch::Tensor loss = bce_none(cls_score.index({Slice(), Slice(start, end)}),
                                  label.index({Slice(), Slice(start, end)}));
    loss = options.reduction() == "mean" ? loss.mean(1) : loss.sum(1);
    double weight = options.category_loss_weights()[i];
    if (options.with_mask()) {
      torch::Tensor present = category_mask.index({Slice(), static_cast<int64_t>(i)}).reshape({-1});
      if (present.sum().item<double>() < 0.5) {
        losses.emplace_back(name, torch::zeros({}, cls_score.options()));
        weights.push_back(0.0);
        continue;
      }
      loss = (loss * present).sum() / present.sum();
    } else {
      loss = loss.mean();
    }
    losses.emplace_back(name, loss);
    weights.push_back(weight);
  }
  double total = 0;
  for (double w : weights) total += w;
  torch::Tensor loss_cls;
  for (size_t i = 0; i < losses.size(); ++i) {
    weights[i] /= total;
    torch::Tensor term = losses[i].second * weights[i];
    loss_cls = loss_cls.defined() ? loss_cls + term : term;
  }
  LossDict out = losses;
  out.emplace_back("loss_cls", loss_cls);
  for (size_t i = 0; i < losses.size(); ++i)
    out.emplace_back(losses[i].first + "_weight", torch::tensor(weights[i], torch::kFloat));
  return out;
}

namespace {

std::shared_ptr<Loss> build_hvu_loss(Args& args) {
  HVULossOptions o;
  o.categories(args.get("categories", o.categories()))
      .category_nums(args.get("category_nums", o.category_nums()))
      .category_loss_weights(args.get("category_loss_weights", o.category_loss_weights()))
      .loss_type(args.get("loss_type", "all"))
      .with_mask(args.get("with_mask", false))
      .reduction(args.get("reduction", "mean"))
      .loss_weight(args.get("loss_weight", 1.0));
  try {
    return std::make_shared<HVULossImpl>(o);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(args.where() + ": " + e.what());
  }
}

}  // namespace

TUBELET_REGISTER(LOSSES, HVULoss, build_hvu_loss);

}  // namespace tubelet
