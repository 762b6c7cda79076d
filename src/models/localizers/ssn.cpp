#include "tubelet/models/localizers/ssn.h"

#include <torch/torch.h>

#include <stdexcept>

#include "tubelet/models/registries.h"

namespace tubelet {

using torch::indexing::Slice;

SSNImpl::SSNImpl(SSNOptions o, std::shared_ptr<Backbone> backbone_,
                 std::shared_ptr<SSNHeadImpl> head, std::shared_ptr<SSNLossImpl> loss)
    : options(std::move(o)) {
  backbone = register_module("backbone", std::move(backbone_));
  cls_head = register_module("cls_head", std::move(head));
  if (options.dropout_ratio() != 0)
    dropout = register_module("dropout", torch::nn::Dropout(options.dropout_ratio()));
  loss_cls = register_module("loss_cls", std::move(loss));
}

torch::Tensor SSNImpl::pooled_feat(const torch::Tensor& imgs) {
  std::vector<torch::Tensor> feats = backbone->forward_features(imgs);
  if (feats.empty()) throw std::logic_error("SSN: the backbone returned no feature map");
  torch::Tensor x = feats.back();
  if (options.spatial_type() == "avg")
    x = torch::avg_pool2d(x, {7, 7}, {1, 1});
  else if (options.spatial_type() == "max")
    x = torch::max_pool2d(x, {7, 7}, {1, 1});
  return x;
}

NamedTensors SSNImpl::forward_train(const torch::Tensor& imgs_in,
                                    const torch::Tensor& proposal_scale_factor,
                                    const torch::Tensor& proposal_type,
                                    const torch::Tensor& proposal_labels,
                                    const torch::Tensor& reg_targets) {
  if (!options.train_cfg())
    throw std::invalid_argument(
        "SSN: training needs train_cfg=dict(ssn=dict(sampler=..., "
        "loss_weight=...)) in the model config");
  if (imgs_in.dim() < 5)
    throw std::invalid_argument(
        "SSN: forward_train expects imgs [N, num_proposals, num_segments, in_channels, H, W] "
        "(FormatShape 'NPTCHW'), got " +
        c10::str(imgs_in.sizes()));
  std::vector<int64_t> shape{-1, options.in_channels()};
  for (int64_t d = 4; d < imgs_in.dim(); ++d) shape.push_back(imgs_in.size(d));
  torch::Tensor x = pooled_feat(imgs_in.reshape(shape));
  if (dropout) x = dropout(x);
  SSNTrainScores scores = cls_head->forward_train(x, proposal_scale_factor);
  return loss_cls->forward(scores.activity, scores.completeness, scores.bbox_preds, proposal_type,
                           proposal_labels, reg_targets, *options.train_cfg());
}

SSNTestResult SSNImpl::forward_test(const torch::Tensor& imgs_in,
                                    const torch::Tensor& relative_proposal_list,
                                    const torch::Tensor& scale_factor_list,
                                    const torch::Tensor& proposal_tick_list,
                                    const torch::Tensor& reg_norm_consts_in) {
  if (!options.test_batch_size())
    throw std::invalid_argument(
        "SSN: testing needs test_cfg=dict(ssn=dict(sampler=dict("
        "batch_size=...))) in the model config");
  if (imgs_in.dim() < 4)
    throw std::invalid_argument(
        "SSN: forward_test expects imgs [num_crops, num_ticks, in_channels, H, W], got " +
        c10::str(imgs_in.sizes()));
  const int64_t num_crops = imgs_in.size(0);
  std::vector<int64_t> shape{num_crops, -1, options.in_channels()};
  for (int64_t d = 3; d < imgs_in.dim(); ++d) shape.push_back(imgs_in.size(d));
  torch::Tensor imgs = imgs_in.reshape(shape);
  const int64_t num_ticks = imgs.size(1);
  const int64_t minibatch = *options.test_batch_size();
  std::vector<torch::Tensor> outputs;
  for (int64_t idx = 0; idx < num_ticks; idx += minibatch) {
    std::vector<int64_t> flat{-1};
    for (int64_t d = 2; d < imgs.dim(); ++d) flat.push_back(imgs.size(d));
    torch::Tensor chunk = imgs.index({Slice(), Slice(idx, idx + minibatch)}).reshape(flat);
    torch::Tensor x = pooled_feat(chunk);
    // Merge crops to save memory.
    outputs.push_back(x.reshape({num_crops, x.size(0) / num_crops, -1}).mean(0));
  }
  torch::Tensor output = torch::cat(outputs, 0);
  if (!is_test_prepared)
    is_test_prepared = cls_head->prepare_test_fc(cls_head->options.consensus().num_multipliers());
  SSNTestScores scores =
      cls_head->forward_test(output, proposal_tick_list.squeeze(0), scale_factor_list.squeeze(0));
  SSNTestResult result;
  result.relative_proposal_list = relative_proposal_list.squeeze(0).cpu();
  result.activity_scores = scores.activity.cpu();
  result.completeness_scores = scores.completeness.cpu();
  if (scores.bbox_preds.defined()) {
    torch::Tensor consts = reg_norm_consts_in.squeeze(0).cpu();
    if (consts.dim() != 2 || consts.size(0) != 2 || consts.size(1) != 2)
      throw std::invalid_argument(
          "SSN: reg_norm_consts must be [2, 2] (mean, std of center and "
          "span), got " +
          c10::str(reg_norm_consts_in.sizes()));
    torch::Tensor bbox = scores.bbox_preds.view({-1, cls_head->options.num_classes(), 2}).clone();
    // MMAction2 multiplies by the numpy scalars of reg_norm_consts.
    for (int64_t k = 0; k < 2; ++k) {
      torch::Tensor column = bbox.select(2, k);
      column.copy_(column * consts[1][k].to(bbox.dtype()) + consts[0][k].to(bbox.dtype()));
    }
    result.bbox_preds = bbox;
  }
  return result;
}

StepOutputs SSNImpl::train_step(const Batch& batch) {
  const torch::Tensor& imgs = batch.at("imgs");
  return parse_losses(
      forward_train(imgs, batch.at("proposal_scale_factor"), batch.at("proposal_type"),
                    batch.at("proposal_labels"), batch.at("reg_targets")),
      imgs.size(0));
}

StepOutputs SSNImpl::val_step(const Batch& batch) {
  return train_step(batch);
}

namespace {

Value ssn_tensor_value(const torch::Tensor& t) {
  if (!t.defined()) return Value();
  torch::Tensor d = t.to(torch::kCPU, torch::kDouble).contiguous();
  if (d.dim() == 0) return Value(d.item<double>());
  List items;
  for (int64_t i = 0; i < d.size(0); ++i) items.push_back(ssn_tensor_value(d[i]));
  return Value::list(std::move(items));
}

}  // namespace

List SSNImpl::test_records(const Batch& batch) {
  SSNTestResult r = forward_test(batch.at("imgs"), batch.at("relative_proposal_list"),
                                 batch.at("scale_factor_list"), batch.at("proposal_tick_list"),
                                 batch.at("reg_norm_consts"));
  Dict record;
  record.set("relative_proposal_list", ssn_tensor_value(r.relative_proposal_list));
  record.set("activity_scores", ssn_tensor_value(r.activity_scores));
  record.set("completeness_scores", ssn_tensor_value(r.completeness_scores));
  record.set("bbox_preds", ssn_tensor_value(r.bbox_preds));
  return {Value(std::move(record))};
}

namespace {

// A sub-dict of a config dict, or nullptr when the key is absent or None.
const Value* ssn_sub_dict(Args& args, const std::string& arg, const Value& parent,
                          const std::string& key, const std::string& where) {
  if (!parent.is_dict()) throw args.error(arg, where + " must be a dict");
  const Value* v = parent.as_dict().find(key);
  if (!v || v->is_none()) return nullptr;
  if (!v->is_dict()) throw args.error(arg, where + "." + key + " must be a dict");
  return v;
}

double ssn_number(Args& args, const std::string& arg, const Value& dict, const std::string& key,
                  const std::string& where) {
  const Value* v = dict.as_dict().find(key);
  if (!v || !v->is_number())
    throw args.error(arg, where + "." + key + " is required and must be a number");
  return v->as_float();
}

std::optional<SSNLossConfig> ssn_read_train_cfg(Args& args) {
  const Value* cfg = args.find("train_cfg");
  if (!cfg || cfg->is_none()) return std::nullopt;
  const Value* ssn = ssn_sub_dict(args, "train_cfg", *cfg, "ssn", "train_cfg");
  if (!ssn) throw args.error("train_cfg", "train_cfg needs an 'ssn' dict");
  const Value* sampler = ssn_sub_dict(args, "train_cfg", *ssn, "sampler", "train_cfg.ssn");
  const Value* weight = ssn_sub_dict(args, "train_cfg", *ssn, "loss_weight", "train_cfg.ssn");
  if (!sampler || !weight)
    throw args.error("train_cfg", "train_cfg.ssn needs 'sampler' and 'loss_weight' dicts");
  SSNLossConfig c;
  const std::string s = "train_cfg.ssn.sampler", w = "train_cfg.ssn.loss_weight";
  const Value* num = sampler->as_dict().find("num_per_video");
  if (!num || !num->is_int() || num->as_int() < 1)
    throw args.error("train_cfg", s + ".num_per_video must be a positive int");
  c.num_per_video = num->as_int();
  c.positive_ratio = ssn_number(args, "train_cfg", *sampler, "positive_ratio", s);
  c.background_ratio = ssn_number(args, "train_cfg", *sampler, "background_ratio", s);
  c.incomplete_ratio = ssn_number(args, "train_cfg", *sampler, "incomplete_ratio", s);
  c.comp_loss_weight = ssn_number(args, "train_cfg", *weight, "comp_loss_weight", w);
  c.reg_loss_weight = ssn_number(args, "train_cfg", *weight, "reg_loss_weight", w);
  if (c.positive_ratio + c.background_ratio + c.incomplete_ratio <= 0)
    throw args.error("train_cfg", s + "'s ratios must add up to a positive number");
  return c;
}

std::optional<int64_t> ssn_read_test_batch_size(Args& args) {
  const Value* cfg = args.find("test_cfg");
  if (!cfg || cfg->is_none()) return std::nullopt;
  const Value* ssn = ssn_sub_dict(args, "test_cfg", *cfg, "ssn", "test_cfg");
  const Value* sampler =
      ssn ? ssn_sub_dict(args, "test_cfg", *ssn, "sampler", "test_cfg.ssn") : nullptr;
  const Value* bs = sampler ? sampler->as_dict().find("batch_size") : nullptr;
  if (!bs || !bs->is_int() || bs->as_int() < 1)
    throw args.error("test_cfg", "test_cfg.ssn.sampler.batch_size must be a positive int");
  return bs->as_int();
}

std::shared_ptr<Localizer> build_ssn(Args& args) {
  SSNOptions o;
  auto backbone = BACKBONES().build(args.required<Value>("backbone"), {args.path() + ".backbone"});
  auto head = std::dynamic_pointer_cast<SSNHeadImpl>(
      HEADS().build(args.required<Value>("cls_head"), {args.path() + ".cls_head"}));
  if (!head) throw args.error("cls_head", "SSN's cls_head must be an SSNHead");
  o.in_channels(args.get("in_channels", o.in_channels()));
  if (o.in_channels() < 1) throw args.error("in_channels", "in_channels must be positive");
  o.spatial_type(
      args.get<std::optional<std::string>>("spatial_type", o.spatial_type()).value_or(""));
  o.dropout_ratio(args.get("dropout_ratio", o.dropout_ratio()));
  if (o.dropout_ratio() < 0 || o.dropout_ratio() > 1)
    throw args.error("dropout_ratio", "dropout_ratio must be in [0, 1]");
  Dict loss_default;
  loss_default.set("type", Value("SSNLoss"));
  auto loss = std::dynamic_pointer_cast<SSNLossImpl>(
      LOSSES().build(args.get("loss_cls", Value(loss_default)), {args.path() + ".loss_cls"}));
  if (!loss) throw args.error("loss_cls", "SSN's loss_cls must be an SSNLoss");
  o.train_cfg(ssn_read_train_cfg(args));
  o.test_batch_size(ssn_read_test_batch_size(args));
  return std::make_shared<SSNImpl>(o, backbone, head, loss);
}

}  // namespace

TUBELET_REGISTER(LOCALIZERS, SSN, build_ssn);

}  // namespace tubelet
