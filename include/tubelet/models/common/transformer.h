// mmcv 1.7.0's transformer bricks, as far as TimeSformer uses them: MultiheadAttention (a
// wrapper of torch's, adding the shortcut), FFN, BaseTransformerLayer (attentions, ffns and
// norms run in `operation_order`) and TransformerLayerSequence. Names are mmcv's, so the
// checkpoint keys are too (layers.0.attentions.0.attn.in_proj_weight, ...ffns.0.layers.0.0...),
// and so are the registries a layer config names its parts in: ATTENTION (attn_cfgs) and
// FEEDFORWARD_NETWORK (ffn_cfgs).
#pragma once

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/dropout.h>

#include <memory>
#include <string>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/models/common/drop_path.h"
#include "tubelet/registry.h"

namespace tubelet {

// What BaseTransformerLayer calls for 'self_attn'. `identity` is what the shortcut adds: the
// layer's input before its norm in pre-norm layers; undefined otherwise (the attention then
// adds its own input).
class TransformerAttention : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& identity) = 0;
  virtual int64_t embed_dims() const = 0;
};

// What BaseTransformerLayer calls for 'ffn'; `identity` as for attentions.
class TransformerFFN : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& identity) = 0;
};

TUBELET_REGISTRY_BASE(TransformerAttention, "tubelet/models/common/transformer.h");
TUBELET_REGISTRY_BASE(TransformerFFN, "tubelet/models/common/transformer.h");

// mmcv's ATTENTION: MultiheadAttention, DividedTemporalAttentionWithNorm,
// DividedSpatialAttentionWithNorm, and whatever a plugin adds for its layers' attn_cfgs.
Registry<TransformerAttention>& ATTENTION();
// mmcv's FEEDFORWARD_NETWORK: FFN and FFNWithNorm, for a layer's ffn_cfgs.
Registry<TransformerFFN>& FEEDFORWARD_NETWORK();

// mmcv's build_dropout for a residual branch's `dropout_layer`: dict(type='DropPath') drops
// whole samples, dict(type='Dropout') single elements (mmcv's DROPOUT_LAYERS); None or an
// empty dict is nn.Identity. The module has no parameters, so the choice leaves the checkpoint
// keys alone.
struct DropoutLayerOptions {
  enum class Kind { kNone, kDropPath, kDropout };
  static DropoutLayerOptions none() { return {}; }
  static DropoutLayerOptions drop_path(double drop_prob) {
    return {Kind::kDropPath, drop_prob, false};
  }
  static DropoutLayerOptions dropout(double drop_prob, bool inplace = false) {
    return {Kind::kDropout, drop_prob, inplace};
  }
  // Reads a config value; errors name `path` ("...attentions.0.dropout_layer") and the key.
  static DropoutLayerOptions from_config(const Value& cfg, const std::string& path);
  // The config it reads back from (None for kNone).
  Value to_config() const;
  torch::nn::AnyModule build() const;

  Kind kind = Kind::kNone;
  double drop_prob = 0.0;
  bool inplace = false;
};

struct MultiheadAttentionOptions {
  MultiheadAttentionOptions(int64_t embed_dims, int64_t num_heads)
      : embed_dims_(embed_dims), num_heads_(num_heads) {}
  TORCH_ARG(int64_t, embed_dims);
  TORCH_ARG(int64_t, num_heads);
  TORCH_ARG(double, attn_drop) = 0.0;
  TORCH_ARG(double, proj_drop) = 0.0;
  /// mmcv's default: dict(type='Dropout', drop_prob=0.).
  TORCH_ARG(DropoutLayerOptions, dropout_layer) = DropoutLayerOptions::dropout(0.0);
  /// Inputs are [batch, tokens, C] (else [tokens, batch, C], torch's layout).
  TORCH_ARG(bool, batch_first) = false;
  TORCH_ARG(std::string, path) = "attention";
};

// mmcv's MultiheadAttention: identity + dropout_layer(proj_drop(attn(q, q, q))).
class MultiheadAttentionImpl : public TransformerAttention {
 public:
  explicit MultiheadAttentionImpl(const MultiheadAttentionOptions& options);
  torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& identity) override;
  int64_t embed_dims() const override { return options.embed_dims(); }

  MultiheadAttentionOptions options;

 private:
  torch::nn::MultiheadAttention attn_{nullptr};
  torch::nn::Dropout proj_drop_{nullptr};
  torch::nn::AnyModule dropout_layer_;
};
TORCH_MODULE(MultiheadAttention);

struct FFNOptions {
  FFNOptions(int64_t embed_dims, int64_t feedforward_channels)
      : embed_dims_(embed_dims), feedforward_channels_(feedforward_channels) {}
  TORCH_ARG(int64_t, embed_dims);
  TORCH_ARG(int64_t, feedforward_channels);
  TORCH_ARG(int64_t, num_fcs) = 2;
  /// None means mmcv's dict(type='ReLU', inplace=True).
  TORCH_ARG(Value, act_cfg);
  TORCH_ARG(double, ffn_drop) = 0.0;
  /// mmcv's default: None.
  TORCH_ARG(DropoutLayerOptions, dropout_layer);
  TORCH_ARG(bool, add_identity) = true;
  TORCH_ARG(std::string, path) = "ffn";
};

// mmcv's FFN: (num_fcs - 1) x [Linear, act, Dropout], Linear, Dropout; identity + dropout_layer.
class FFNImpl : public TransformerFFN {
 public:
  explicit FFNImpl(const FFNOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& identity) override;

  FFNOptions options;

 private:
  torch::nn::Sequential layers_{nullptr};
  torch::nn::AnyModule dropout_layer_;
};
TORCH_MODULE(FFN);

// mmcv's BaseTransformerLayer. operation_order holds 'self_attn', 'norm' and 'ffn' (TimeSformer
// needs no 'cross_attn'); it is pre-norm when it starts with 'norm'. One attention per
// 'self_attn' and one ffn per 'ffn', in order; the norms ("norms.<i>") come from norm_cfg.
class BaseTransformerLayerImpl : public torch::nn::Module {
 public:
  BaseTransformerLayerImpl(std::vector<std::shared_ptr<TransformerAttention>> attentions,
                           std::vector<std::shared_ptr<TransformerFFN>> ffns,
                           std::vector<std::string> operation_order, const Value& norm_cfg,
                           const std::string& path);
  torch::Tensor forward(torch::Tensor query);

  bool pre_norm() const { return pre_norm_; }
  int64_t embed_dims() const { return attentions_.front()->embed_dims(); }

 private:
  std::vector<std::shared_ptr<TransformerAttention>> attentions_;
  std::vector<std::shared_ptr<TransformerFFN>> ffns_;
  std::vector<std::string> operation_order_;
  std::vector<torch::nn::AnyModule> norms_;
  bool pre_norm_ = false;
};
TORCH_MODULE(BaseTransformerLayer);

// mmcv's TransformerLayerSequence: the layers ("layers.<i>") one after another.
class TransformerLayerSequenceImpl : public torch::nn::Module {
 public:
  explicit TransformerLayerSequenceImpl(const std::vector<BaseTransformerLayer>& layers);
  torch::Tensor forward(torch::Tensor query);

  const std::vector<BaseTransformerLayer>& layers() const { return layers_; }

 private:
  std::vector<BaseTransformerLayer> layers_;
};
TORCH_MODULE(TransformerLayerSequence);

// mmcv's build_transformer_layer for dict(type='BaseTransformerLayer', attn_cfgs, ffn_cfgs,
// operation_order, norm_cfg, batch_first): attn_cfgs built from ATTENTION and ffn_cfgs from
// FEEDFORWARD_NETWORK (a dict is repeated for each 'self_attn' / 'ffn'; a list gives one each).
// `path` is where the layer sits in the model ("backbone.transformer_layers.layers.0").
BaseTransformerLayer build_transformer_layer(const Value& cfg, const std::string& path);

// mmcv's build_transformer_layer_sequence for dict(type='TransformerLayerSequence',
// transformerlayers, num_layers): a layer config repeated num_layers times, or a list of
// num_layers of them.
TransformerLayerSequence build_transformer_layer_sequence(const Value& cfg,
                                                          const std::string& path);

// How the registered bricks read the arguments they share; errors name the argument.
namespace transformer_args {
// A dropout probability in [0, 1].
double probability(Args& args, const char* key, double fallback);
DropoutLayerOptions dropout_layer(Args& args, const DropoutLayerOptions& fallback);
// mmcv's BaseModule init_cfg: only None (MMAction2's TimeSformer never applies its layers').
void no_init_cfg(Args& args);
// embed_dims and num_heads as torch.nn.MultiheadAttention accepts them.
void check_heads(Args& args, int64_t embed_dims, int64_t num_heads);
// mmcv FFN's arguments and defaults (embed_dims=256, feedforward_channels=1024, num_fcs=2,
// act_cfg=dict(type='ReLU', inplace=True), ffn_drop=0., dropout_layer=None, add_identity=True),
// with its deprecated names `dropout` and `add_residual`.
FFNOptions ffn_options(Args& args);
}  // namespace transformer_args

}  // namespace tubelet
