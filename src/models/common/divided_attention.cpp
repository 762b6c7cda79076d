#include "tubelet/models/common/divided_attention.h"

#include <torch/torch.h>

#include "tubelet/config/error.h"
#include "tubelet/models/layers.h"

namespace tubelet {

namespace {

Value divided_layer_norm_cfg(const Value& cfg) {
  if (!cfg.is_none()) return cfg;
  Dict d;
  d.set("type", Value("LN"));
  return Value(d);
}

torch::nn::MultiheadAttention make_attn(const DividedAttentionOptions& o) {
  return torch::nn::MultiheadAttention(
      torch::nn::MultiheadAttentionOptions(o.embed_dims(), o.num_heads()).dropout(o.attn_drop()));
}

// torch's attention on [batch, tokens, C] inputs (it takes [tokens, batch, C]).
torch::Tensor self_attend(torch::nn::MultiheadAttention& attn, const torch::Tensor& x) {
  torch::Tensor q = x.permute({1, 0, 2});
  return std::get<0>(
             attn->forward(q, q, q, /*key_padding_mask=*/torch::Tensor(), /*need_weights=*/false))
      .permute({1, 0, 2});
}

void check_no_identity(const torch::Tensor& identity, const std::string& path) {
  if (identity.defined())
    throw std::invalid_argument(path +
                                ": the divided attentions add their own shortcut; use them in "
                                "post-norm layers (operation_order not starting with 'norm')");
}

void check_tokens(const torch::Tensor& query, int64_t num_frames, const std::string& path) {
  TORCH_CHECK(query.dim() == 3 && query.size(1) >= 1 && (query.size(1) - 1) % num_frames == 0, path,
              ": expected tokens [batch, 1 + patches * ", num_frames, ", C], got ", query.sizes());
}

}  // namespace

DividedTemporalAttentionWithNormImpl::DividedTemporalAttentionWithNormImpl(
    const DividedAttentionOptions& o)
    : options(o) {
  norm_ =
      build_norm_layer(divided_layer_norm_cfg(o.norm_cfg()), o.embed_dims(), "", o.path() + ".norm")
          .second;
  register_module("norm", norm_.ptr());
  attn_ = register_module("attn", make_attn(o));
  proj_drop_ = register_module("proj_drop", torch::nn::Dropout(o.proj_drop()));
  dropout_layer_ = o.dropout_layer().build();
  register_module("dropout_layer", dropout_layer_.ptr());
  temporal_fc_ = register_module("temporal_fc", torch::nn::Linear(o.embed_dims(), o.embed_dims()));
  torch::NoGradGuard no_grad;
  temporal_fc_->weight.zero_();
  temporal_fc_->bias.zero_();
}

torch::Tensor DividedTemporalAttentionWithNormImpl::forward(const torch::Tensor& query,
                                                            const torch::Tensor& identity) {
  check_no_identity(identity, options.path());
  check_tokens(query, options.num_frames(), options.path());
  torch::Tensor cls_token = query.slice(1, 0, 1);
  torch::Tensor patches = query.slice(1, 1);
  int64_t b = patches.size(0), m = patches.size(2), t = options.num_frames();
  int64_t p = patches.size(1) / t;
  // [b * p, t, m]: each patch's frames attend to each other.
  torch::Tensor x = norm_.forward<torch::Tensor>(patches.reshape({b * p, t, m}));
  torch::Tensor res = dropout_layer_.forward(proj_drop_(self_attend(attn_, x).contiguous()));
  res = temporal_fc_(res).reshape({b, p * t, m});
  return torch::cat({cls_token, patches + res}, 1);
}

DividedSpatialAttentionWithNormImpl::DividedSpatialAttentionWithNormImpl(
    const DividedAttentionOptions& o)
    : options(o) {
  norm_ =
      build_norm_layer(divided_layer_norm_cfg(o.norm_cfg()), o.embed_dims(), "", o.path() + ".norm")
          .second;
  register_module("norm", norm_.ptr());
  attn_ = register_module("attn", make_attn(o));
  proj_drop_ = register_module("proj_drop", torch::nn::Dropout(o.proj_drop()));
  dropout_layer_ = o.dropout_layer().build();
  register_module("dropout_layer", dropout_layer_.ptr());
}

torch::Tensor DividedSpatialAttentionWithNormImpl::forward(const torch::Tensor& query,
                                                           const torch::Tensor& identity) {
  check_no_identity(identity, options.path());
  check_tokens(query, options.num_frames(), options.path());
  torch::Tensor cls_token = query.slice(1, 0, 1);  // [b, 1, m]
  torch::Tensor patches = query.slice(1, 1);
  int64_t b = patches.size(0), m = patches.size(2), t = options.num_frames();
  int64_t p = patches.size(1) / t;
  // [b * t, 1 + p, m]: each frame's patches, with the class token, attend to each other.
  torch::Tensor frame_cls = cls_token.repeat({1, t, 1}).reshape({b * t, 1, m});
  torch::Tensor frames = patches.reshape({b, p, t, m}).permute({0, 2, 1, 3}).reshape({b * t, p, m});
  torch::Tensor x = norm_.forward<torch::Tensor>(torch::cat({frame_cls, frames}, 1));
  torch::Tensor res = dropout_layer_.forward(proj_drop_(self_attend(attn_, x).contiguous()));
  torch::Tensor res_cls = res.select(1, 0).reshape({b, t, m}).mean(1, /*keepdim=*/true);
  torch::Tensor res_patches =
      res.slice(1, 1).reshape({b, t, p, m}).permute({0, 2, 1, 3}).reshape({b, p * t, m});
  return query + torch::cat({res_cls, res_patches}, 1);
}

FFNWithNormImpl::FFNWithNormImpl(const FFNOptions& o, const Value& norm_cfg) : FFNImpl(o) {
  norm_ = build_norm_layer(divided_layer_norm_cfg(norm_cfg), o.embed_dims(), "", o.path() + ".norm")
              .second;
  register_module("norm", norm_.ptr());
}

torch::Tensor FFNWithNormImpl::forward(const torch::Tensor& x, const torch::Tensor& identity) {
  if (identity.defined())
    throw std::invalid_argument(options.path() + ": FFNWithNorm cannot be used after a pre-norm");
  return FFNImpl::forward(norm_.forward<torch::Tensor>(x), x);
}

namespace {

// MMAction2's arguments and defaults for both divided attentions. Their other keyword arguments
// go to torch.nn.MultiheadAttention; of those only batch_first, which BaseTransformerLayer
// always passes, is read.
DividedAttentionOptions divided_attention_options(Args& args) {
  int64_t embed_dims = args.required<int64_t>("embed_dims");
  int64_t num_heads = args.required<int64_t>("num_heads");
  int64_t num_frames = args.required<int64_t>("num_frames");
  transformer_args::check_heads(args, embed_dims, num_heads);
  if (num_frames < 1)
    throw args.error("num_frames",
                     "num_frames must be positive, got " + std::to_string(num_frames));
  // The blocks lay tokens out as [tokens, batch, C] for torch's attention themselves; with
  // batch_first=True MMAction2's would attend across the wrong axis.
  if (args.get("batch_first", false))
    throw args.error("batch_first",
                     "batch_first=True is not supported by the divided attentions (their "
                     "BaseTransformerLayer must have batch_first=False)");
  DividedAttentionOptions o(embed_dims, num_heads, num_frames);
  o.attn_drop(transformer_args::probability(args, "attn_drop", 0.0))
      .proj_drop(transformer_args::probability(args, "proj_drop", 0.0))
      .dropout_layer(transformer_args::dropout_layer(args, DropoutLayerOptions::drop_path(0.1)))
      .norm_cfg(args.get("norm_cfg", divided_layer_norm_cfg(Value())))
      .path(args.path());
  transformer_args::no_init_cfg(args);
  return o;
}

std::shared_ptr<DividedTemporalAttentionWithNormImpl> build_divided_temporal_attention(Args& args) {
  return std::make_shared<DividedTemporalAttentionWithNormImpl>(divided_attention_options(args));
}

std::shared_ptr<DividedSpatialAttentionWithNormImpl> build_divided_spatial_attention(Args& args) {
  return std::make_shared<DividedSpatialAttentionWithNormImpl>(divided_attention_options(args));
}

std::shared_ptr<FFNWithNormImpl> build_ffn_with_norm(Args& args) {
  FFNOptions o = transformer_args::ffn_options(args);
  return std::make_shared<FFNWithNormImpl>(o,
                                           args.get("norm_cfg", divided_layer_norm_cfg(Value())));
}

}  // namespace

TUBELET_REGISTER(ATTENTION, DividedTemporalAttentionWithNorm, build_divided_temporal_attention);
TUBELET_REGISTER(ATTENTION, DividedSpatialAttentionWithNorm, build_divided_spatial_attention);
TUBELET_REGISTER(FEEDFORWARD_NETWORK, FFNWithNorm, build_ffn_with_norm);

}  // namespace tubelet
