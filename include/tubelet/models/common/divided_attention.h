// MMAction2's common/transformer.py: the blocks of TimeSformer's divided space-time attention.
// Tokens are [batch, 1 + patches * frames, C]: the class token, then patch-major, frame-minor
// (token 1 + p * frames + t is patch p of frame t). All three are registered as MMAction2 does:
// the attentions in ATTENTION, FFNWithNorm in FEEDFORWARD_NETWORK.
#pragma once

#include <torch/nn/modules/linear.h>

#include "tubelet/models/common/transformer.h"

namespace tubelet {

struct DividedAttentionOptions {
  DividedAttentionOptions(int64_t embed_dims, int64_t num_heads, int64_t num_frames)
      : embed_dims_(embed_dims), num_heads_(num_heads), num_frames_(num_frames) {}
  TORCH_ARG(int64_t, embed_dims);
  TORCH_ARG(int64_t, num_heads);
  TORCH_ARG(int64_t, num_frames);
  TORCH_ARG(double, attn_drop) = 0.0;
  TORCH_ARG(double, proj_drop) = 0.0;
  /// MMAction2's default: dict(type='DropPath', drop_prob=0.1).
  TORCH_ARG(DropoutLayerOptions, dropout_layer) = DropoutLayerOptions::drop_path(0.1);
  /// None means dict(type='LN').
  TORCH_ARG(Value, norm_cfg);
  TORCH_ARG(std::string, path) = "attention";
};

// Attention over the frames of each patch, after its own norm; the class token passes through.
// The branch goes through temporal_fc (zero-initialised, so the block starts as identity).
class DividedTemporalAttentionWithNormImpl : public TransformerAttention {
 public:
  explicit DividedTemporalAttentionWithNormImpl(const DividedAttentionOptions& options);
  // `identity` must be undefined: the block always adds its own shortcut.
  torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& identity) override;
  int64_t embed_dims() const override { return options.embed_dims(); }

  DividedAttentionOptions options;

 private:
  torch::nn::AnyModule norm_;
  torch::nn::MultiheadAttention attn_{nullptr};
  torch::nn::Dropout proj_drop_{nullptr};
  torch::nn::AnyModule dropout_layer_;
  torch::nn::Linear temporal_fc_{nullptr};
};
TORCH_MODULE(DividedTemporalAttentionWithNorm);

// Attention over the patches of each frame, with the class token joining every frame; the
// class token's result is the average of its per-frame results.
class DividedSpatialAttentionWithNormImpl : public TransformerAttention {
 public:
  explicit DividedSpatialAttentionWithNormImpl(const DividedAttentionOptions& options);
  torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& identity) override;
  int64_t embed_dims() const override { return options.embed_dims(); }

  DividedAttentionOptions options;

 private:
  torch::nn::AnyModule norm_;
  torch::nn::MultiheadAttention attn_{nullptr};
  torch::nn::Dropout proj_drop_{nullptr};
  torch::nn::AnyModule dropout_layer_;
};
TORCH_MODULE(DividedSpatialAttentionWithNorm);

// FFN with its own pre-norm ("norm", registered after mmcv's FFN layers): x + FFN(norm(x)).
class FFNWithNormImpl : public FFNImpl {
 public:
  // None means dict(type='LN').
  FFNWithNormImpl(const FFNOptions& options, const Value& norm_cfg);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& identity) override;

 private:
  torch::nn::AnyModule norm_;
};
TORCH_MODULE(FFNWithNorm);

}  // namespace tubelet
