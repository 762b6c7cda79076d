// mmcv's ConvModule and layer builders: checkpoint names, forward, initialisation, errors.
#include <gtest/gtest.h>

#include "support/paths.h"

#include <torch/torch.h>

#include "tubelet/config/config.h"
#include "tubelet/models/common/conv_module.h"
#include "tubelet/models/layers.h"

namespace tubelet::conv_module_test {
namespace {

using test::error_of;

Value cfg(const std::string& text) {
  return load_config_text("c = " + text + "\n", "/tmp/m.py").at("c");
}

std::vector<std::string> state_keys(torch::nn::Module& m) {
  std::vector<std::string> keys;
  for (const auto& p : m.named_parameters()) keys.push_back(p.key());
  for (const auto& b : m.named_buffers()) keys.push_back(b.key());
  return keys;
}

TEST(ConvModule, NamesMatchMmcvCheckpoints) {
  ConvModule m(ConvModuleOptions(3, 8, {3}).padding({1}).norm_cfg(cfg("dict(type='BN')")));
  EXPECT_EQ(state_keys(*m),
            (std::vector<std::string>{"conv.weight", "bn.weight", "bn.bias", "bn.running_mean",
                                      "bn.running_var", "bn.num_batches_tracked"}));
  // bias='auto' drops the conv bias before a norm and keeps it without one.
  ConvModule plain(ConvModuleOptions(3, 8, {1}));
  EXPECT_EQ(state_keys(*plain), (std::vector<std::string>{"conv.weight", "conv.bias"}));
  ConvModule gn(ConvModuleOptions(4, 8, {1}).norm_cfg(cfg("dict(type='GN', num_groups=2)")));
  EXPECT_EQ(gn->norm_name(), "gn");
}

TEST(ConvModule, ThreeDimensionalWithSyncBN) {
  ConvModule m(ConvModuleOptions(3, 4, {1, 3, 3})
                   .padding({0, 1, 1})
                   .conv_cfg(cfg("dict(type='Conv3d')"))
                   .norm_cfg(cfg("dict(type='SyncBN', requires_grad=False)")));
  EXPECT_EQ(m->named_parameters()["conv.weight"].sizes(), (std::vector<int64_t>{4, 3, 1, 3, 3}));
  EXPECT_FALSE(m->named_parameters()["bn.weight"].requires_grad());
  EXPECT_EQ(m->forward(torch::randn({2, 3, 4, 5, 5})).sizes(),
            (std::vector<int64_t>{2, 4, 4, 5, 5}));
}

TEST(ConvModule, ForwardIsConvThenNormThenActivation) {
  torch::manual_seed(0);
  ConvModule m(ConvModuleOptions(3, 6, {3}).padding({1}).norm_cfg(cfg("dict(type='BN')")));
  auto params = m->named_parameters();
  auto buffers = m->named_buffers();
  {
    torch::NoGradGuard g;
    buffers["bn.running_mean"].uniform_(-1, 1);
    buffers["bn.running_var"].uniform_(0.5, 2);
    params["bn.weight"].uniform_(0.5, 2);
    params["bn.bias"].uniform_(-1, 1);
  }
  m->eval();
  auto x = torch::randn({2, 3, 7, 7});
  auto expected = torch::relu(torch::batch_norm(
      torch::conv2d(x, params["conv.weight"], {}, 1, 1), params["bn.weight"], params["bn.bias"],
      buffers["bn.running_mean"], buffers["bn.running_var"], false, 0.1, 1e-5, false));
  EXPECT_TRUE(torch::allclose(m->forward(x), expected, 1e-5, 1e-5));
}

TEST(ConvModule, NormBeforeConvCountsInputChannels) {
  ConvModule m(
      ConvModuleOptions(3, 8, {1}).norm_cfg(cfg("dict(type='BN')")).order({"norm", "conv", "act"}));
  EXPECT_EQ(m->named_parameters()["bn.weight"].size(0), 3);
}

TEST(ConvModule, KaimingFanOutInitAndConstantNorm) {
  torch::manual_seed(0);
  ConvModule m(ConvModuleOptions(64, 128, {3}).norm_cfg(cfg("dict(type='BN')")));
  auto w = m->named_parameters()["conv.weight"];
  double expected_std = std::sqrt(2.0 / (128 * 9));  // gain(relu) / sqrt(fan_out)
  EXPECT_NEAR(w.std().item<double>(), expected_std, 0.03 * expected_std);
  EXPECT_TRUE(torch::equal(m->named_parameters()["bn.weight"], torch::ones({128})));
  EXPECT_TRUE(torch::equal(m->named_parameters()["bn.bias"], torch::zeros({128})));
}

TEST(ConvModule, ErrorsNameTheConfig) {
  EXPECT_NE(error_of([] {
              ConvModule(ConvModuleOptions(3, 8, {1})
                             .norm_cfg(cfg("dict(type='BNN')"))
                             .path("model.backbone.conv1"));
            }).find("'BNN' is not in the NORM_LAYERS registry; did you mean 'BN'?"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              ConvModule(ConvModuleOptions(3, 8, {1}).norm_cfg(cfg("dict(type='GN')")));
            }).find("GN needs 'num_groups'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              ConvModule(ConvModuleOptions(3, 8, {1}).order({"conv", "conv", "act"}));
            }).find("order must hold"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              ConvModule(ConvModuleOptions(3, 8, {1}).act_cfg(cfg("dict(type='ReLU', slope=1)")));
            }).find("ReLU: unexpected argument 'slope'"),
            std::string::npos);
}

TEST(LayerRegistries, EveryRegisteredLayerBuildsAndRuns) {
  auto x = torch::randn({2, 4, 6, 6});
  for (const std::string& type : NORM_LAYERS().names()) {
    std::string extra = type == "GN" ? ", num_groups=2" : "";
    auto [name, layer] =
        build_norm_layer(cfg("dict(type='" + type + "'" + extra + ")"), 4, "1", "n");
    EXPECT_EQ(name, norm_abbreviation(type) + "1");
    auto input = type == "BN1d" || type == "IN1d"   ? torch::randn({2, 4, 6})
                 : type == "BN3d" || type == "IN3d" ? torch::randn({2, 4, 3, 6, 6})
                 : type == "LN"                     ? torch::randn({2, 6, 4})
                                                    : x;
    EXPECT_EQ(layer.forward(input).sizes(), input.sizes()) << type;
  }
  for (const std::string& type : ACTIVATION_LAYERS().names()) {
    auto act = build_activation_layer(cfg("dict(type='" + type + "')"), "a");
    EXPECT_EQ(act.forward(x).sizes(), x.sizes()) << type;
  }
  for (const std::string& type : CONV_LAYERS().names()) {
    ConvLayerArgs args{4, 2, {1}, {1}, {0}, {1}, 1, true};
    auto conv = build_conv_layer(cfg("dict(type='" + type + "')"), args, "c");
    auto input = type == "Conv1d"                            ? torch::randn({2, 4, 6})
                 : type == "Conv3d" || type == "Conv2plus1d" ? torch::randn({2, 4, 3, 6, 6})
                                                             : x;
    // ConvAudio's default op='concat' joins its frequency and time maps: twice the channels.
    EXPECT_EQ(conv.forward(input).size(1), type == "ConvAudio" ? 4 : 2) << type;
  }
}

TEST(LayerRegistries, SyncBNTrainsLikeBatchNorm2d) {
  auto [n1, sync] = build_norm_layer(cfg("dict(type='SyncBN')"), 4, "", "n");
  auto [n2, bn] = build_norm_layer(cfg("dict(type='BN')"), 4, "", "n");
  auto x = torch::randn({3, 4, 5, 5});
  for (int step = 0; step < 2; ++step)
    EXPECT_TRUE(
        torch::allclose(sync.forward(x * (step + 1)), bn.forward(x * (step + 1)), 1e-5, 1e-6));
  auto b1 = sync.ptr()->named_buffers(), b2 = bn.ptr()->named_buffers();
  for (const char* key : {"running_mean", "running_var", "num_batches_tracked"})
    EXPECT_TRUE(torch::allclose(b1[key].to(torch::kDouble), b2[key].to(torch::kDouble))) << key;
  sync.ptr()->eval();
  bn.ptr()->eval();
  EXPECT_TRUE(torch::allclose(sync.forward(x), bn.forward(x), 1e-5, 1e-6));
}

TEST(LayerRegistries, MmcvActivationFormulas) {
  auto x = torch::linspace(-5, 5, 11);
  auto hswish = build_activation_layer(cfg("dict(type='HSwish')"), "a");
  EXPECT_TRUE(torch::allclose(hswish.forward(x), x * torch::clamp(x + 3, 0, 6) / 6));
  auto hsig = build_activation_layer(cfg("dict(type='HSigmoid')"), "a");
  EXPECT_TRUE(torch::allclose(hsig.forward(x), torch::clamp((x + 3) / 6, 0, 1)));
  auto clamp = build_activation_layer(cfg("dict(type='Clamp', min=-2, max=3)"), "a");
  EXPECT_TRUE(torch::allclose(clamp.forward(x), torch::clamp(x, -2, 3)));
  auto leaky = build_activation_layer(cfg("dict(type='LeakyReLU', negative_slope=0.2)"), "a");
  EXPECT_TRUE(torch::allclose(leaky.forward(x), torch::leaky_relu(x, 0.2)));
}

}  // namespace
}  // namespace tubelet::conv_module_test
