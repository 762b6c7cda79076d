// TimeSformer and TimeSformerHead against MMAction2's own sources (tests/fixtures/timesformer,
// made by tools/fixtures/make_timesformer_fixtures.py): keys, shapes and order, backbone
// features and head scores for each attention type, the ViT checkpoint conversion, the full-size
// models of the shipped configs, init, DropPath, errors and training in Recognizer3D.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/models/backbones/timesformer.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/common/drop_path.h"
#include "tubelet/models/common/trunc_normal.h"
#include "tubelet/models/recognizers/recognizer3d.h"

namespace tubelet::timesformer_test {
namespace {

using checkpoint::StateDict;
using nlohmann::json;

std::filesystem::path fixture_path(const std::string& file) {
  return test::source_dir() / "tests/fixtures/timesformer" / file;
}

const char* const kTiny =
    "num_frames=2, img_size=8, patch_size=4, embed_dims=8, num_heads=2, "
    "num_transformer_layers=2";

std::shared_ptr<BaseRecognizerImpl> build_recognizer(const std::string& backbone_args,
                                                     const std::string& extra = "") {
  auto cfg = load_config_text(
      "model = dict(type='Recognizer3D', backbone=dict(type='TimeSformer', " + backbone_args +
          "), cls_head=dict(type='TimeSformerHead', num_classes=5, in_channels=8" + extra +
          "), test_cfg=dict(average_clips='prob'))\n",
      "/tmp/timesformer.py");
  return std::dynamic_pointer_cast<BaseRecognizerImpl>(build_model(cfg.at("model")));
}

std::shared_ptr<TimeSformerImpl> build_backbone(const std::string& args) {
  auto cfg = load_config_text("b = dict(type='TimeSformer', " + args + ")\n", "/tmp/ts.py");
  return std::dynamic_pointer_cast<TimeSformerImpl>(build_model(cfg.at("b"), "backbone"));
}

struct Fixture {
  StateDict weights;
  std::map<std::string, torch::Tensor> data;
};

Fixture load_fixture(const std::string& name) {
  Fixture f;
  for (const auto& item : checkpoint::load_checkpoint(fixture_path(name).string()).state_dict) {
    const std::string& key = item.key();
    if (key.rfind("backbone.", 0) == 0 || key.rfind("cls_head.", 0) == 0)
      f.weights.insert(key, item.value());
    else
      f.data[key] = item.value();
  }
  return f;
}

void expect_same_keys(const StateDict& ours, const StateDict& theirs) {
  ASSERT_EQ(ours.size(), theirs.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(ours[i].key(), theirs[i].key());
    EXPECT_EQ(ours[i].value().sizes(), theirs[i].value().sizes()) << ours[i].key();
  }
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

void expect_matches_mmaction2(const std::string& attention_type) {
  Fixture f = load_fixture(attention_type + ".pth");
  auto model = build_recognizer(std::string(kTiny) + ", attention_type='" + attention_type + "'");
  expect_same_keys(checkpoint::state_dict(*model), f.weights);
  auto report = checkpoint::load_state_dict(*model, f.weights, /*strict=*/true);
  EXPECT_TRUE(report.ok()) << report.message();
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor& x = f.data.at("input");
  torch::Tensor feat = model->extract_feat(x);
  ASSERT_EQ(feat.sizes(), f.data.at("feat").sizes());
  torch::Tensor scores = model->forward_dummy(x.unsqueeze(1));
  ASSERT_EQ(scores.sizes(), f.data.at("scores").sizes());
  double feat_diff = max_diff(feat, f.data.at("feat"));
  double score_diff = max_diff(scores, f.data.at("scores"));
  ::testing::Test::RecordProperty("feat_max_abs_diff", c10::str(feat_diff));
  ::testing::Test::RecordProperty("scores_max_abs_diff", c10::str(score_diff));
  EXPECT_LT(feat_diff, 1e-5);
  EXPECT_LT(score_diff, 1e-5);
  // average_clips='prob' on one clip: the softmax of the scores.
  EXPECT_LT(max_diff(model->forward_test(x.unsqueeze(1)), f.data.at("scores").softmax(1)), 1e-5);
}

TEST(TimeSformer, DividedSpaceTimeMatchesMmaction2) {
  expect_matches_mmaction2("divided_space_time");
}

// Backpropagation too: the gradient of the sum of squared scores for every parameter.
TEST(TimeSformer, DividedSpaceTimeGradientsMatchMmaction2) {
  Fixture f = load_fixture("divided_space_time.pth");
  auto model = build_recognizer(std::string(kTiny));
  checkpoint::load_state_dict(*model, f.weights, /*strict=*/true);
  model->eval();
  model->forward_dummy(f.data.at("input").unsqueeze(1)).square().sum().backward();
  double worst = 0;
  size_t checked = 0;
  for (const auto& item : model->named_parameters()) {
    const torch::Tensor& want = f.data.at("grad." + item.key());
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
    double diff = max_diff(item.value().grad(), want);
    EXPECT_LT(diff, 1e-5 * (1 + want.abs().max().item<double>())) << item.key();
    worst = std::max(worst, diff);
    ++checked;
  }
  EXPECT_EQ(checked, f.weights.size());
  ::testing::Test::RecordProperty("grad_max_abs_diff", c10::str(worst));
}

// MMAction2's stochastic depth rule: np.linspace(0, 0.1, num_transformer_layers), the same
// rate for every DropPath of a layer.
// test_cfg.feature_extraction with a transformer's [N, C] features: MMAction2 averages each
// video's clips and does no spatial pooling.
TEST(TimeSformer, FeatureExtractionAveragesClips) {
  Fixture f = load_fixture("divided_space_time.pth");
  auto cfg = load_config_text(
      "model = dict(type='Recognizer3D', backbone=dict(type='TimeSformer', " + std::string(kTiny) +
          "), cls_head=dict(type='TimeSformerHead', num_classes=5, in_channels=8), "
          "test_cfg=dict(feature_extraction=True))\n",
      "/tmp/timesformer.py");
  auto model = std::dynamic_pointer_cast<BaseRecognizerImpl>(build_model(cfg.at("model")));
  ASSERT_TRUE(checkpoint::load_state_dict(*model, f.weights, /*strict=*/true).ok());
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor& x = f.data.at("input");  // [N, C, T, H, W]
  torch::Tensor clips = torch::stack({x, x.flip(-1)}, 1);
  torch::Tensor feats = model->forward_test(clips);
  torch::Tensor expected = (model->extract_feat(x) + model->extract_feat(x.flip(-1))) / 2;
  ASSERT_EQ(feats.sizes(), expected.sizes());
  EXPECT_LT(max_diff(feats, expected), 1e-6);
}

TEST(TimeSformer, DropPathRatesRiseLinearlyOverLayers) {
  for (const char* type : {"divided_space_time", "joint_space_time"}) {
    auto backbone = build_backbone(
        "num_frames=2, img_size=8, patch_size=4, embed_dims=8, num_heads=2, "
        "num_transformer_layers=4, attention_type='" +
        std::string(type) + "'");
    size_t count = 0;
    for (const auto& item : backbone->named_modules()) {
      auto* drop = item.value()->as<DropPathImpl>();
      if (!drop) continue;
      ++count;
      // transformer_layers.layers.<i>....dropout_layer
      int64_t layer =
          std::stoll(item.key().substr(std::string("transformer_layers.layers.").size()));
      EXPECT_NEAR(drop->drop_prob, 0.1 * static_cast<double>(layer) / 3.0, 1e-15) << item.key();
    }
    EXPECT_EQ(count, std::string(type) == "divided_space_time" ? 12u : 8u);
  }
}

TEST(TimeSformer, JointSpaceTimeMatchesMmaction2) {
  expect_matches_mmaction2("joint_space_time");
}

TEST(TimeSformer, SpaceOnlyMatchesMmaction2) {
  expect_matches_mmaction2("space_only");
}

// MMAction2's init_weights on a ViT-layout checkpoint (the space_only model's): norms renamed
// into the divided blocks, attentions.0 copied to attentions.1, temporal_fc and time_embed left
// at zero. Every tensor equals what MMAction2's model holds afterwards.
TEST(TimeSformer, PretrainedViTCheckpointConvertsAsMmaction2) {
  auto backbone = build_backbone(std::string(kTiny) + ", pretrained='" +
                                 fixture_path("vit_tiny.pth").string() + "'");
  StateDict want =
      checkpoint::load_checkpoint(fixture_path("pretrained_divided.pth").string()).state_dict;
  StateDict ours = checkpoint::state_dict(*backbone);
  expect_same_keys(ours, want);
  for (const auto& item : want)
    EXPECT_TRUE(torch::equal(ours[item.key()], item.value())) << item.key();
}

TEST(TimeSformer, InitAsMmaction2) {
  torch::manual_seed(0);
  auto backbone = build_backbone(
      "num_frames=3, img_size=32, patch_size=4, embed_dims=64, num_heads=4, "
      "num_transformer_layers=2");
  auto p = backbone->named_parameters();
  for (const char* key : {"pos_embed", "cls_token"}) {
    EXPECT_LE(p[key].abs().max().item<double>(), 2.0) << key;
  }
  EXPECT_NEAR(p["pos_embed"].std().item<double>(), 0.02, 0.002);
  EXPECT_EQ(p["time_embed"].abs().max().item<double>(), 0);
  EXPECT_EQ(p["time_embed"].sizes(), (std::vector<int64_t>{1, 3, 64}));
  for (const char* layer : {"0", "1"}) {
    std::string prefix = std::string("transformer_layers.layers.") + layer + ".attentions.0.";
    EXPECT_EQ(p[prefix + "temporal_fc.weight"].abs().max().item<double>(), 0);
    EXPECT_EQ(p[prefix + "temporal_fc.bias"].abs().max().item<double>(), 0);
    EXPECT_EQ(p[prefix + "attn.in_proj_bias"].abs().max().item<double>(), 0);
  }
  // LeCun normal: std 1 / sqrt(fan_in) = 1 / sqrt(3 * 4 * 4).
  EXPECT_NEAR(p["patch_embed.projection.weight"].std().item<double>(), 1 / std::sqrt(48.0), 0.01);
  EXPECT_EQ(p["patch_embed.projection.bias"].abs().max().item<double>(), 0);
  // TimeSformerHead: trunc_normal_init(std=0.02), zero bias.
  auto cfg = load_config_text("h = dict(type='TimeSformerHead', num_classes=400, in_channels=64)\n",
                              "/tmp/h.py");
  auto head = build_model(cfg.at("h"), "cls_head");
  auto hp = head->named_parameters();
  EXPECT_NEAR(hp["fc_cls.weight"].std().item<double>(), 0.02, 0.001);
  EXPECT_EQ(hp["fc_cls.bias"].abs().max().item<double>(), 0);
}

TEST(TimeSformer, TruncNormalStaysWithinAbsoluteBounds) {
  torch::manual_seed(0);
  torch::Tensor t = torch::empty({20000});
  trunc_normal_(t, 0, 1, -0.5, 1.0);
  EXPECT_GE(t.min().item<double>(), -0.5);
  EXPECT_LE(t.max().item<double>(), 1.0);
  // The mean of N(0, 1) truncated to [-0.5, 1]: (phi(-0.5) - phi(1)) / (Phi(1) - Phi(-0.5)).
  double phi_a = std::exp(-0.125) / std::sqrt(2 * M_PI),
         phi_b = std::exp(-0.5) / std::sqrt(2 * M_PI);
  double z = 0.5 * (std::erf(1 / std::sqrt(2.0)) - std::erf(-0.5 / std::sqrt(2.0)));
  EXPECT_NEAR(t.mean().item<double>(), (phi_a - phi_b) / z, 0.01);
}

TEST(TimeSformer, DropPathDropsWholeSamples) {
  torch::manual_seed(0);
  DropPath drop(0.25);
  torch::Tensor x = torch::ones({4000, 3, 2});
  torch::Tensor y = drop->forward(x);
  torch::Tensor per_sample = y.flatten(1);
  // Each sample is all zeros or all 1 / keep_prob.
  EXPECT_TRUE(torch::equal(std::get<0>(per_sample.min(1)), std::get<0>(per_sample.max(1))));
  torch::Tensor kept = per_sample.select(1, 0) > 0;
  EXPECT_NEAR(kept.to(torch::kFloat).mean().item<double>(), 0.75, 0.03);
  EXPECT_NEAR(per_sample.max().item<double>(), 1 / 0.75, 1e-6);
  drop->eval();
  EXPECT_TRUE(torch::equal(drop->forward(x), x));
  DropPath none(0.0);
  EXPECT_TRUE(torch::equal(none->forward(x), x));
}

TEST(TimeSformer, ErrorsNameTheArguments) {
  std::string e =
      test::error_of([] { build_backbone(std::string(kTiny) + ", attention_type='x'"); });
  EXPECT_NE(e.find("attention_type"), std::string::npos) << e;
  EXPECT_NE(e.find("'x'"), std::string::npos) << e;
  e = test::error_of([] { build_backbone(std::string(kTiny) + ", transformer_layers=dict()"); });
  EXPECT_NE(e.find("transformer_layers"), std::string::npos) << e;
  e = test::error_of(
      [] { build_backbone(std::string(kTiny) + ", pretrained='torchvision://no_such_vit'"); });
  EXPECT_NE(e.find("pretrained"), std::string::npos) << e;
  e = test::error_of(
      [] { build_backbone("num_frames=2, img_size=10, patch_size=4, embed_dims=8, num_heads=2"); });
  EXPECT_NE(e.find("divisible"), std::string::npos) << e;
  e = test::error_of([] { build_backbone(std::string(kTiny) + ", depth=3"); });
  EXPECT_NE(e.find("depth"), std::string::npos) << e;

  auto backbone = build_backbone(kTiny);
  for (const auto& shape :
       {std::vector<int64_t>{1, 3, 3, 8, 8}, std::vector<int64_t>{1, 3, 2, 8, 12}}) {
    e = test::error_of([&] { backbone->forward_features(torch::zeros(shape)); });
    EXPECT_NE(e.find("num_frames (2)"), std::string::npos) << e;
    EXPECT_NE(e.find("img_size (8, 8)"), std::string::npos) << e;
  }
}

// Training through Recognizer3D with dropout and DropPath active: gradients reach every
// block, and SGD on one batch lowers its loss.
TEST(TimeSformer, TrainsInRecognizer3D) {
  torch::manual_seed(0);
  auto model = build_recognizer(std::string(kTiny) + ", dropout_ratio=0.1");
  model->train();
  torch::Tensor imgs = torch::randn({4, 1, 3, 2, 8, 8});
  torch::Tensor labels = torch::tensor({0, 1, 2, 3});
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  std::vector<double> losses;
  for (int step = 0; step < 8; ++step) {
    sgd.zero_grad();
    LossDict out = model->forward_train(imgs, labels);
    torch::Tensor loss = out.back().second;
    ASSERT_EQ(out.back().first, "loss_cls");
    loss.backward();
    if (step == 0) {
      auto params = model->named_parameters();
      for (const char* key :
           {"backbone.cls_token", "backbone.pos_embed", "backbone.time_embed",
            "backbone.patch_embed.projection.weight",
            "backbone.transformer_layers.layers.0.attentions.0.temporal_fc.weight",
            "backbone.transformer_layers.layers.1.attentions.1.attn.in_proj_weight",
            "backbone.transformer_layers.layers.1.ffns.0.layers.0.0.weight",
            "cls_head.fc_cls.weight"}) {
        ASSERT_TRUE(params.find(key)) << key;
        ASSERT_TRUE(params[key].grad().defined()) << key;
        EXPECT_GT(params[key].grad().abs().sum().item<double>(), 0) << key;
      }
    }
    sgd.step();
    losses.push_back(loss.item<double>());
  }
  EXPECT_LT(losses.back(), losses.front());
}

const json& full_size() {
  static const json all = [] {
    std::ifstream in(fixture_path("full_size.json"));
    return json::parse(in);
  }();
  return all;
}

// The shipped configs' full-size models: MMAction2's keys, shapes, order and parameter count.
void expect_full_size(const char* config, const char* name) {
  Dict cfg =
      load_config((test::source_dir() / "configs/recognition/timesformer" / config).string());
  Value model = cfg.at("model");
  Value backbone = model.as_dict().at("backbone");
  backbone.mutable_dict().set("pretrained", Value());
  model.mutable_dict().set("backbone", backbone);
  auto built = build_model(model);
  std::vector<std::pair<std::string, std::vector<int64_t>>> got, want;
  for (const auto& item : checkpoint::state_dict(*built))
    got.emplace_back(item.key(), item.value().sizes().vec());
  for (const auto& kv : full_size()[name]["keys"])
    want.emplace_back(kv[0], kv[1].get<std::vector<int64_t>>());
  EXPECT_EQ(got, want);
  int64_t count = 0;
  for (const auto& p : built->parameters()) count += p.numel();
  EXPECT_EQ(count, full_size()[name]["num_parameters"].get<int64_t>());
}

TEST(TimeSformerConfigs, DividedSpaceTimeBuildsWithMmaction2Keys) {
  expect_full_size("timesformer_divST_8x32x1_15e_kinetics400_rgb.py", "divST");
}

TEST(TimeSformerConfigs, JointSpaceTimeBuildsWithMmaction2Keys) {
  expect_full_size("timesformer_jointST_8x32x1_15e_kinetics400_rgb.py", "jointST");
}

TEST(TimeSformerConfigs, SpaceOnlyBuildsWithMmaction2Keys) {
  expect_full_size("timesformer_spaceOnly_8x32x1_15e_kinetics400_rgb.py", "spaceOnly");
}

}  // namespace
}  // namespace tubelet::timesformer_test
