// mmcv 1.7.0's transformer bricks, as far as TimeSformer uses them: MultiheadAttention (a
// wrapper of torch's, adding the shortcut), FFN, BaseTransformerLayer (attentions, ffns and
// norms run in `operation_order`) and TransformerLayerSequence. Names are mmcv's, so the
// checkpoint keys are too (layers.0.attentions.0.attn.in_proj_weight, ...ffns.0.layers.0.0...).
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

struct MultiheadAttentionOptions {
  MultiheadAttentionOptions(int64_t embed_dims, int64_t num_heads)
      : embed_dims_(embed_dims), num_heads_(num_heads) {}
  TORCH_ARG(int64_t, embed_dims);
  TORCH_ARG(int64_t, num_heads);
  TORCH_ARG(double, attn_drop) = 0.0;
  TORCH_ARG(double, proj_drop) = 0.0;
  /// The dropout_layer on the residual branch: DropPath(drop_path), none when 0.
  TORCH_ARG(double, drop_path) = 0.0;
  /// Inputs are [batch, tokens, C] (else [tokens, batch, C], torch's layout).
  TORCH_ARG(bool, batch_first) = false;
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
  DropPath dropout_layer_{nullptr};
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
  /// The dropout_layer on the residual branch: DropPath(drop_path), none when 0.
  TORCH_ARG(double, drop_path) = 0.0;
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
  DropPath dropout_layer_{nullptr};
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

 private:
  std::vector<BaseTransformerLayer> layers_;
};
TORCH_MODULE(TransformerLayerSequence);

}  // namespace tubelet
