#include "tubelet/models/common/transformer.h"

#include <torch/nn/modules/linear.h>
#include <torch/torch.h>

#include "tubelet/config/error.h"
#include "tubelet/models/layers.h"

namespace tubelet {

namespace {

Value relu_inplace() {
  Dict d;
  d.set("type", Value("ReLU"));
  d.set("inplace", Value(true));
  return Value(d);
}

// A Sequential that can sit inside another one (a Sequential's own forward is a template,
// which AnyModule cannot hold).
struct FcBlockImpl : torch::nn::SequentialImpl {
  torch::Tensor forward(const torch::Tensor& x) { return SequentialImpl::forward(x); }
};
TORCH_MODULE(FcBlock);

}  // namespace

MultiheadAttentionImpl::MultiheadAttentionImpl(const MultiheadAttentionOptions& o) : options(o) {
  attn_ =
      register_module("attn", torch::nn::MultiheadAttention(torch::nn::MultiheadAttentionOptions(
                                                                o.embed_dims(), o.num_heads())
                                                                .dropout(o.attn_drop())));
  proj_drop_ = register_module("proj_drop", torch::nn::Dropout(o.proj_drop()));
  dropout_layer_ = register_module("dropout_layer", DropPath(o.drop_path()));
}

torch::Tensor MultiheadAttentionImpl::forward(const torch::Tensor& query,
                                              const torch::Tensor& identity) {
  // torch's attention takes [tokens, batch, C].
  torch::Tensor q = options.batch_first() ? query.transpose(0, 1) : query;
  torch::Tensor out = std::get<0>(
      attn_->forward(q, q, q, /*key_padding_mask=*/torch::Tensor(), /*need_weights=*/false));
  if (options.batch_first()) out = out.transpose(0, 1);
  const torch::Tensor& shortcut = identity.defined() ? identity : query;
  return shortcut + dropout_layer_(proj_drop_(out));
}

FFNImpl::FFNImpl(const FFNOptions& o) : options(o) {
  if (o.num_fcs() < 2)
    throw ConfigError(o.path() + ": num_fcs should be no less than 2, got " +
                      std::to_string(o.num_fcs()));
  Value act_cfg = o.act_cfg().is_none() ? relu_inplace() : o.act_cfg();
  torch::nn::AnyModule activate = build_activation_layer(act_cfg, o.path() + ".activate");
  layers_ = torch::nn::Sequential();
  int64_t in_channels = o.embed_dims();
  for (int64_t i = 0; i + 1 < o.num_fcs(); ++i) {
    FcBlock block;
    block->push_back(torch::nn::Linear(in_channels, o.feedforward_channels()));
    block->push_back(activate);
    block->push_back(torch::nn::Dropout(o.ffn_drop()));
    layers_->push_back(block);
    in_channels = o.feedforward_channels();
  }
  layers_->push_back(torch::nn::Linear(o.feedforward_channels(), o.embed_dims()));
  layers_->push_back(torch::nn::Dropout(o.ffn_drop()));
  register_module("layers", layers_);
  dropout_layer_ = register_module("dropout_layer", DropPath(o.drop_path()));
}

torch::Tensor FFNImpl::forward(const torch::Tensor& x, const torch::Tensor& identity) {
  torch::Tensor out = dropout_layer_(layers_->forward(x));
  if (!options.add_identity()) return out;
  return (identity.defined() ? identity : x) + out;
}

BaseTransformerLayerImpl::BaseTransformerLayerImpl(
    std::vector<std::shared_ptr<TransformerAttention>> attentions,
    std::vector<std::shared_ptr<TransformerFFN>> ffns, std::vector<std::string> operation_order,
    const Value& norm_cfg, const std::string& path)
    : attentions_(std::move(attentions)),
      ffns_(std::move(ffns)),
      operation_order_(std::move(operation_order)) {
  size_t num_attn = 0, num_ffn = 0, num_norm = 0;
  for (const std::string& op : operation_order_) {
    if (op == "self_attn")
      ++num_attn;
    else if (op == "ffn")
      ++num_ffn;
    else if (op == "norm")
      ++num_norm;
    else
      throw ConfigError(path + ": operation_order may hold 'self_attn', 'norm' and 'ffn', not '" +
                        op + "'");
  }
  if (num_attn != attentions_.size() || num_ffn != ffns_.size() || attentions_.empty())
    throw ConfigError(path +
                      ": operation_order needs one attention per 'self_attn' and one ffn "
                      "per 'ffn'");
  pre_norm_ = operation_order_.front() == "norm";
  auto attention_list = register_module("attentions", torch::nn::ModuleList());
  for (auto& a : attentions_) attention_list->push_back(a);
  auto ffn_list = register_module("ffns", torch::nn::ModuleList());
  for (auto& f : ffns_) ffn_list->push_back(f);
  auto norm_list = register_module("norms", torch::nn::ModuleList());
  int64_t embed_dims = attentions_.front()->embed_dims();
  for (size_t i = 0; i < num_norm; ++i) {
    norms_.push_back(
        build_norm_layer(norm_cfg, embed_dims, "", path + ".norms." + std::to_string(i)).second);
    norm_list->push_back(norms_.back().ptr());
  }
}

torch::Tensor BaseTransformerLayerImpl::forward(torch::Tensor query) {
  size_t attn_index = 0, ffn_index = 0, norm_index = 0;
  torch::Tensor identity = query;
  torch::Tensor none;
  for (const std::string& op : operation_order_) {
    if (op == "self_attn") {
      query = attentions_[attn_index++]->forward(query, pre_norm_ ? identity : none);
      identity = query;
    } else if (op == "norm") {
      query = norms_[norm_index++].forward(query);
    } else {
      query = ffns_[ffn_index++]->forward(query, pre_norm_ ? identity : none);
    }
  }
  return query;
}

TransformerLayerSequenceImpl::TransformerLayerSequenceImpl(
    const std::vector<BaseTransformerLayer>& layers)
    : layers_(layers) {
  auto list = register_module("layers", torch::nn::ModuleList());
  for (auto& layer : layers_) list->push_back(layer);
}

torch::Tensor TransformerLayerSequenceImpl::forward(torch::Tensor query) {
  for (auto& layer : layers_) query = layer(query);
  return query;
}

}  // namespace tubelet
