// MMAction2's TimeSformer ("Is Space-Time Attention All You Need for Video Understanding?"):
// frames cut into patches (PatchEmbed), a class token, position and time embeddings, then mmcv
// transformer layers with divided space-time, joint space-time or space-only attention. The
// output is the final norm of the class token, [N, embed_dims].
#pragma once

#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/dropout.h>

#include <optional>
#include <string>
#include <vector>

#include "tubelet/models/backbone.h"
#include "tubelet/models/common/transformer.h"

namespace tubelet {

// MMAction2's PatchEmbed: [N, C, T, H, W] -> [N * T, patches, embed_dims] by a Conv2d
// ("projection") with kernel and stride patch_size.
class PatchEmbedImpl : public torch::nn::Module {
 public:
  PatchEmbedImpl(std::vector<int64_t> img_size, std::vector<int64_t> patch_size,
                 int64_t in_channels, int64_t embed_dims, const std::string& path);
  torch::Tensor forward(const torch::Tensor& x);

  int64_t num_patches() const { return num_patches_; }

 private:
  torch::nn::AnyModule projection_;
  int64_t num_patches_ = 0;
};
TORCH_MODULE(PatchEmbed);

struct TimeSformerOptions {
  TimeSformerOptions(int64_t num_frames, std::vector<int64_t> img_size,
                     std::vector<int64_t> patch_size)
      : num_frames_(num_frames),
        img_size_(std::move(img_size)),
        patch_size_(std::move(patch_size)) {}
  TORCH_ARG(int64_t, num_frames);
  /// (H, W); an int in a config means square.
  TORCH_ARG(std::vector<int64_t>, img_size);
  TORCH_ARG(std::vector<int64_t>, patch_size);
  /// A local ViT checkpoint in mmcv's layout, converted as MMAction2's init_weights does.
  TORCH_ARG(std::optional<std::string>, pretrained);
  TORCH_ARG(int64_t, embed_dims) = 768;
  TORCH_ARG(int64_t, num_heads) = 12;
  TORCH_ARG(int64_t, num_transformer_layers) = 12;
  TORCH_ARG(int64_t, in_channels) = 3;
  TORCH_ARG(double, dropout_ratio) = 0.0;
  /// 'divided_space_time', 'space_only' or 'joint_space_time'.
  TORCH_ARG(std::string, attention_type) = "divided_space_time";
  /// None means dict(type='LN', eps=1e-6).
  TORCH_ARG(Value, norm_cfg);
  /// An mmcv TransformerLayerSequence config; None means MMAction2's layers for attention_type.
  TORCH_ARG(Value, transformer_layers);
  TORCH_ARG(std::string, path) = "backbone";
};

class TimeSformerImpl : public Backbone {
 public:
  explicit TimeSformerImpl(const TimeSformerOptions& options);
  // [N, in_channels, num_frames, H, W] -> {[N, embed_dims]}: the class token.
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;

  TimeSformerOptions options;

 private:
  Value default_transformer_layers() const;
  void init_weights();
  void load_pretrained(const std::string& path);
  void check_input(const torch::Tensor& x) const;

  PatchEmbed patch_embed_{nullptr};
  torch::Tensor cls_token_, pos_embed_, time_embed_;
  torch::nn::Dropout drop_after_pos_{nullptr}, drop_after_time_{nullptr};
  torch::nn::AnyModule norm_;
  TransformerLayerSequence transformer_layers_{nullptr};
};
TORCH_MODULE(TimeSformer);

}  // namespace tubelet
