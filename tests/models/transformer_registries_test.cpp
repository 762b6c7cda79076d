// mmcv's ATTENTION and FEEDFORWARD_NETWORK registries, and TimeSformer's transformer_layers
// built from them: the registered names, a config spelled out as MMAction2 writes it matching
// MMAction2's model (tests/fixtures/timesformer), an attention added by a user, and errors that
// name where they are.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/models/backbones/timesformer.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/common/transformer.h"
#include "tubelet/models/recognizers/recognizer3d.h"

namespace tubelet::transformer_registries_test {
namespace {

// A user's attention: scales the query (no parameters), so a model built with it differs from
// one without in a way a test can compute.
class ScaledIdentityAttention : public TransformerAttention {
 public:
  ScaledIdentityAttention(int64_t embed_dims, double scale)
      : embed_dims_(embed_dims), scale_(scale) {}
  torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& identity) override {
    return (identity.defined() ? identity : query) + scale_ * query;
  }
  int64_t embed_dims() const override { return embed_dims_; }

 private:
  int64_t embed_dims_;
  double scale_;
};

std::shared_ptr<ScaledIdentityAttention> build_scaled_identity(Args& args) {
  args.get("batch_first", false);  // the layer always hands it over
  return std::make_shared<ScaledIdentityAttention>(args.required<int64_t>("embed_dims"),
                                                   args.get("scale", 1.0));
}

TUBELET_REGISTER(ATTENTION, ScaledIdentityAttention, build_scaled_identity);

const char* const kTiny =
    "num_frames=2, img_size=8, patch_size=4, embed_dims=8, num_heads=2, "
    "num_transformer_layers=2";

// MMAction2's TimeSformer.__init__ config for divided_space_time, written out as a user would.
const char* const kDividedLayers =
    "dict(type='TransformerLayerSequence', num_layers=2, transformerlayers=[dict("
    "type='BaseTransformerLayer', attn_cfgs=[dict(type='DividedTemporalAttentionWithNorm', "
    "embed_dims=8, num_heads=2, num_frames=2, dropout_layer=dict(type='DropPath', "
    "drop_prob=p), norm_cfg=dict(type='LN', eps=1e-6)), "
    "dict(type='DividedSpatialAttentionWithNorm', embed_dims=8, num_heads=2, num_frames=2, "
    "dropout_layer=dict(type='DropPath', drop_prob=p), norm_cfg=dict(type='LN', eps=1e-6))], "
    "ffn_cfgs=dict(type='FFNWithNorm', embed_dims=8, feedforward_channels=32, num_fcs=2, "
    "act_cfg=dict(type='GELU'), dropout_layer=dict(type='DropPath', drop_prob=p), "
    "norm_cfg=dict(type='LN', eps=1e-6)), operation_order=('self_attn', 'self_attn', 'ffn')) "
    "for p in (0.0, 0.1)])";

std::shared_ptr<BaseRecognizerImpl> build_recognizer(const std::string& backbone_args) {
  auto cfg = load_config_text(
      "model = dict(type='Recognizer3D', backbone=dict(type='TimeSformer', " + backbone_args +
          "), cls_head=dict(type='TimeSformerHead', num_classes=5, in_channels=8), "
          "test_cfg=dict(average_clips='prob'))\n",
      "/tmp/transformer_layers.py");
  return std::dynamic_pointer_cast<BaseRecognizerImpl>(build_model(cfg.at("model")));
}

std::string build_error(const std::string& backbone_args) {
  return test::error_of([&] { build_recognizer(backbone_args); });
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(TransformerRegistries, HoldMmcvAndMmaction2Bricks) {
  for (const char* name : {"MultiheadAttention", "DividedTemporalAttentionWithNorm",
                           "DividedSpatialAttentionWithNorm"})
    EXPECT_TRUE(contains(ATTENTION().names(), name)) << name;
  for (const char* name : {"FFN", "FFNWithNorm"})
    EXPECT_TRUE(contains(FEEDFORWARD_NETWORK().names(), name)) << name;
  EXPECT_NE(find_registry("ATTENTION"), nullptr);
  EXPECT_NE(find_registry("FEEDFORWARD_NETWORK"), nullptr);
}

// The spelled-out config builds the model MMAction2 builds by default: same keys, and with
// MMAction2's weights the same scores.
TEST(TransformerRegistries, SpelledOutLayersMatchMmaction2) {
  auto model = build_recognizer(std::string(kTiny) + ", transformer_layers=" + kDividedLayers);
  auto fixture = checkpoint::load_checkpoint(
      (test::source_dir() / "tests/fixtures/timesformer/divided_space_time.pth").string());
  checkpoint::StateDict weights;
  torch::Tensor input, scores;
  for (const auto& item : fixture.state_dict) {
    if (item.key() == "input")
      input = item.value();
    else if (item.key() == "scores")
      scores = item.value();
    else if (item.key().rfind("backbone.", 0) == 0 || item.key().rfind("cls_head.", 0) == 0)
      weights.insert(item.key(), item.value());
  }
  auto report = checkpoint::load_state_dict(*model, weights, /*strict=*/true);
  ASSERT_TRUE(report.ok()) << report.message();
  model->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor ours = model->forward_dummy(input.unsqueeze(1));
  ASSERT_EQ(ours.sizes(), scores.sizes());
  EXPECT_LT((ours - scores).abs().max().item<double>(), 1e-5);
}

// A layer config given once stands for every layer (MMAction2's docstring), and a user's
// attention from ATTENTION takes the place of the built-in ones.
TEST(TransformerRegistries, UserAttentionReplacesTheBuiltInOnes) {
  const std::string layer =
      "dict(type='BaseTransformerLayer', attn_cfgs=dict(type='ScaledIdentityAttention', "
      "embed_dims=8, scale=0.5), ffn_cfgs=dict(type='FFN', embed_dims=8, "
      "feedforward_channels=16, add_identity=True), operation_order=('norm', 'self_attn', "
      "'norm', 'ffn'), norm_cfg=dict(type='LN', eps=1e-6), batch_first=True)";
  auto model = build_recognizer(std::string(kTiny) + ", attention_type='joint_space_time', " +
                                "transformer_layers=" + layer);
  size_t attentions = 0;
  for (const auto& item : model->named_modules())
    attentions += item.value()->as<ScaledIdentityAttention>() != nullptr;
  EXPECT_EQ(attentions, 2u);
  // No attention weights: only the norms and FFNs of the two layers remain in them.
  for (const auto& item : model->named_parameters())
    EXPECT_EQ(item.key().find(".attentions."), std::string::npos) << item.key();
  torch::Tensor scores = model->forward_dummy(torch::randn({1, 1, 3, 2, 8, 8}));
  EXPECT_EQ(scores.sizes(), (std::vector<int64_t>{1, 5}));
  EXPECT_TRUE(torch::isfinite(scores).all().item<bool>());
}

TEST(TransformerRegistries, ErrorsNameWhereTheyAre) {
  const std::string base = std::string(kTiny) + ", transformer_layers=";
  std::string e = build_error(
      base +
      "dict(type='BaseTransformerLayer', attn_cfgs=dict(type='DividedTemporalAtentionWithNorm', "
      "embed_dims=8, num_heads=2, num_frames=2), operation_order=('self_attn', 'ffn'))");
  EXPECT_NE(e.find("ATTENTION"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'DividedTemporalAttentionWithNorm'"), std::string::npos) << e;

  e = build_error(base +
                  "dict(type='BaseTransformerLayer', attn_cfgs=dict(type='MultiheadAttention', "
                  "embed_dims=16, num_heads=2), ffn_cfgs=dict(embed_dims=16), "
                  "operation_order=('self_attn', 'ffn'))");
  EXPECT_NE(e.find("embed_dims (16)"), std::string::npos) << e;
  EXPECT_NE(e.find("embed_dims (8)"), std::string::npos) << e;
  // mmcv's default ffn_cfgs has embed_dims=256, which must equal the attentions' (an assert in
  // mmcv's BaseTransformerLayer).
  e = build_error(base +
                  "dict(type='BaseTransformerLayer', attn_cfgs=dict(type='MultiheadAttention', "
                  "embed_dims=8, num_heads=2), operation_order=('self_attn', 'ffn'))");
  EXPECT_NE(e.find("ffn_cfgs[0] has embed_dims=256"), std::string::npos) << e;

  e = build_error(base +
                  "[dict(type='BaseTransformerLayer', attn_cfgs=dict(type='MultiheadAttention', "
                  "embed_dims=8, num_heads=2), operation_order=('self_attn', 'ffn'))]");
  EXPECT_NE(e.find("lists 1 layer configs but num_transformer_layers is 2"), std::string::npos)
      << e;

  e = build_error(base +
                  "dict(type='BaseTransformerLayer', attn_cfgs=dict(type='MultiheadAttention', "
                  "embed_dims=8, num_heads=2, wrong_key=1), operation_order=('self_attn', "
                  "'ffn'))");
  EXPECT_NE(e.find("wrong_key"), std::string::npos) << e;
  EXPECT_NE(e.find("transformer_layers.layers.0.attentions.0"), std::string::npos) << e;

  e = build_error(base +
                  "dict(type='BaseTransformerLayer', attn_cfgs=dict(type='MultiheadAttention', "
                  "embed_dims=8, num_heads=2), operation_order=('self_attn', 'cross_attn'))");
  EXPECT_NE(e.find("cross_attn"), std::string::npos) << e;
}

}  // namespace
}  // namespace tubelet::transformer_registries_test
