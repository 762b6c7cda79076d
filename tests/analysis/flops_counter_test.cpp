// The FLOPs counter (mmcv 1.7.0's get_model_complexity_info) and `tubelet get-flops`
// (MMAction2's tools/analysis/get_flops.py). The expected counts are worked out by hand from
// mmcv's hooks: a small net of every rule, and ResNet-50 at 224 x 224, whose 4,121,924,096
// FLOPs are what mmcv reports for torchvision's resnet50 (4.12 GFLOPs, 25.56 M): TSN's
// head pools and classifies as torchvision's avgpool and fc do.
#include "tubelet/analysis/flops_counter.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "cli/command_support.h"
#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet::flops_counter_test {
namespace {

using analysis::ModelComplexity;
using analysis::ModuleComplexity;
namespace nn = torch::nn;

// One layer of each rule, on a (1, 3, 8, 8) input; FLOPs per layer in the comments.
struct TinyNetImpl : nn::Module {
  TinyNetImpl() {
    raw_weight = register_parameter("raw_weight", torch::randn({8, 8, 1, 1}));
    // Frozen: not a trainable parameter, but its FLOPs count.
    conv2->weight.set_requires_grad(false);
  }
  torch::Tensor forward(torch::Tensor x) {
    x = relu(bn1(conv1(x)));                    // 8x8x8 x 27 + 512 bias; 2 x 512; 512
    x = gn(conv2(x));                           // 512 x (8 / 4 groups x 9); 2 x 512
    x = torch::conv2d(x, raw_weight);           // this module's own weight: mmcv counts 0
    x = pool(x);                                // 512 (input elements)
    torch::Tensor y = inorm(deconv(x));         // 16 positions x 128 + 256 bias; 256
    x = torch::adaptive_avg_pool2d(x, {1, 1});  // 128, a functional op
    x = ln(fc(x.flatten(1)));                   // 8 x 5; 2 x 5
    return x + y.sum();
  }
  nn::Conv2d conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(3, 8, 3).padding(1)));
  nn::BatchNorm2d bn1 = register_module("bn1", nn::BatchNorm2d(8));
  nn::ReLU relu = register_module("relu", nn::ReLU(nn::ReLUOptions().inplace(true)));
  nn::Conv2d conv2 = register_module(
      "conv2", nn::Conv2d(nn::Conv2dOptions(8, 8, 3).padding(1).groups(4).bias(false)));
  nn::GroupNorm gn = register_module("gn", nn::GroupNorm(2, 8));
  nn::MaxPool2d pool = register_module("pool", nn::MaxPool2d(2));
  nn::ConvTranspose2d deconv =
      register_module("deconv", nn::ConvTranspose2d(nn::ConvTranspose2dOptions(8, 4, 2).stride(2)));
  nn::InstanceNorm2d inorm = register_module("inorm", nn::InstanceNorm2d(4));
  nn::Linear fc = register_module("fc", nn::Linear(8, 5));
  nn::LayerNorm ln = register_module("ln", nn::LayerNorm(nn::LayerNormOptions({5})));
  torch::Tensor raw_weight;
};
TORCH_MODULE(TinyNet);

const ModuleComplexity& module_named(const ModelComplexity& c, const std::string& name) {
  for (const ModuleComplexity& m : c.modules)
    if (m.name == name) return m;
  throw std::out_of_range("no module " + name);
}

ModelComplexity count_tiny_net() {
  TinyNet net;
  return analysis::get_model_complexity_info(*net, {3, 8, 8},
                                             [&net](const torch::Tensor& x) { net->forward(x); });
}

// A recognizer built from a model config text, without pretrained weights.
std::shared_ptr<BaseRecognizerImpl> build_recognizer(const std::string& model) {
  auto built =
      build_model(load_config_text("model = " + model + "\n", "/tmp/flops.py").at("model"));
  return std::dynamic_pointer_cast<BaseRecognizerImpl>(built);
}

const char* kTsnR50 =
    "dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=50), cls_head=dict("
    "type='TSNHead', num_classes=1000, in_channels=2048, consensus=dict(type='AvgConsensus', "
    "dim=1)))";

}  // namespace

TEST(FlopsCounter, CountsEachLayerByMmcvsRule) {
  const ModelComplexity c = count_tiny_net();
  EXPECT_EQ(module_named(c, "conv1").flops, 8 * 8 * 8 * 27 + 512);
  EXPECT_EQ(module_named(c, "bn1").flops, 2 * 512);
  EXPECT_EQ(module_named(c, "conv2").flops, 512 * 18);
  EXPECT_EQ(module_named(c, "gn").flops, 2 * 512);
  EXPECT_EQ(module_named(c, "deconv").flops, 16 * 128 + 256);
  EXPECT_EQ(module_named(c, "fc").flops, 40);
  EXPECT_EQ(module_named(c, "ln").flops, 10);
  // Parameter-free ops are counted by op.
  const std::map<std::string, double> by_op = {
      {"adaptive_avg_pool2d", 128}, {"instance_norm", 256}, {"max_pool2d", 512}, {"relu", 512}};
  EXPECT_EQ(c.unattributed, by_op);
  EXPECT_TRUE(module_named(c, "relu").flops_unattributed);
  EXPECT_TRUE(module_named(c, "inorm").flops_unattributed);
  EXPECT_FALSE(module_named(c, "conv1").flops_unattributed);
  EXPECT_EQ(c.flops, 14336 + 1024 + 512 + 9216 + 1024 + 512 + 2304 + 256 + 128 + 40 + 10);
  EXPECT_EQ(c.modules[0].flops, c.flops);
}

TEST(FlopsCounter, CountsTrainableParametersAsMmcv) {
  const ModelComplexity c = count_tiny_net();
  EXPECT_EQ(module_named(c, "conv1").params, 8 * 27 + 8);
  EXPECT_EQ(module_named(c, "conv2").params, 0);  // frozen
  EXPECT_EQ(module_named(c, "deconv").params, 8 * 4 * 4 + 4);
  // The total has the model's own raw_weight; the model's line, as mmcv accumulates it, only
  // what its children show.
  EXPECT_EQ(c.params, 224 + 16 + 16 + 132 + 45 + 10 + 64);
  EXPECT_EQ(c.modules[0].params, c.params - 64);
  EXPECT_EQ(c.modules[0].name, "");
  EXPECT_EQ(c.modules[0].type, "TinyNet");
  EXPECT_EQ(module_named(c, "conv1").depth, 1);
}

TEST(FlopsCounter, MultiheadAttentionCountsNothingAsInMmcv) {
  // PyTorch's MultiheadAttention is no layer of mmcv's, nor is its out_proj (a
  // NonDynamicallyQuantizableLinear).
  nn::MultiheadAttention attn(8, 2);
  const torch::Tensor x = torch::randn({3, 1, 8});
  attn->eval();
  const ModelComplexity c = analysis::count_complexity(*attn, [&] { attn->forward(x, x, x); });
  EXPECT_EQ(c.flops, 0);
  EXPECT_EQ(c.params, 24 * 8 + 24 + 8 * 8 + 8);
}

TEST(FlopsCounter, ResNet50MatchesMmcv) {
  auto model = build_recognizer(kTsnR50);
  ASSERT_TRUE(model);
  const ModelComplexity c = analysis::get_model_complexity_info(
      *model, {1, 3, 224, 224}, [&](const torch::Tensor& x) { model->forward_dummy(x); });
  EXPECT_EQ(c.flops, 4121924096.0);
  EXPECT_EQ(c.params, 25557032);
  EXPECT_EQ(analysis::flops_to_string(c.flops), "4.12 GFLOPs");
  EXPECT_EQ(analysis::params_to_string(c.params), "25.56 M");
  EXPECT_EQ(module_named(c, "backbone.conv1.conv").flops, 112 * 112 * 64 * 3 * 49);
  EXPECT_EQ(module_named(c, "cls_head.fc_cls").flops, 2048 * 1000);
  EXPECT_EQ(module_named(c, "backbone").params, 23508032);
  std::ostringstream listing;
  analysis::print_model_with_flops(c, listing);
  EXPECT_NE(listing.str().find("\n  backbone: ResNet(23.508 M, 91.983% Params, "),
            std::string::npos)
      << listing.str();
  EXPECT_NE(listing.str().find("\n      backbone.conv1.conv: Conv2d(0.009 M, 0.037% Params, "
                               "0.118 GFLOPs, 2.863% FLOPs, 3, 64, kernel_size=[7, 7]"),
            std::string::npos)
      << listing.str();
}

TEST(FlopsCounter, FormatsAsMmcv) {
  using analysis::flops_to_string;
  using analysis::params_to_string;
  EXPECT_EQ(flops_to_string(1e9), "1.0 GFLOPs");
  EXPECT_EQ(flops_to_string(37.1e9), "37.1 GFLOPs");
  EXPECT_EQ(flops_to_string(2e5, "MFLOPs"), "0.2 MFLOPs");
  EXPECT_EQ(flops_to_string(3e-9, std::nullopt), "3e-09 FLOPs");
  EXPECT_EQ(flops_to_string(4.5e6, std::nullopt), "4.5 MFLOPs");
  EXPECT_EQ(flops_to_string(118013952, "GFLOPs", 3), "0.118 GFLOPs");
  EXPECT_EQ(params_to_string(1000000000), "1000.0 M");
  EXPECT_EQ(params_to_string(200000), "200.0 k");
  EXPECT_EQ(params_to_string(999), "999");
  EXPECT_EQ(params_to_string(9408, "M", 3), "0.009 M");
  EXPECT_EQ(params_to_string(0, "M", 3), "0.0 M");
}

TEST(FlopsCounter, GetFlopsCommand) {
  TUBELET_REQUIRE_COMMAND();
  test::TempDir dir;
  const std::string tsn = test::shell_quote(
      (test::source_dir() / "configs/recognition/tsn/tsn_r50_1x1x3_100e_kinetics400_rgb.py")
          .string());
  const std::string no_model = test::shell_quote(dir.write("no_model.py", "x = 1\n").string());
  const std::string bmn =
      test::shell_quote((test::source_dir() / "configs/_base_/models/bmn_400x100.py").string());
  const std::vector<std::string> args = {
      "get-flops " + tsn + " --shape 224 224",
      "get-flops " + tsn + " --shape 1 2 3",
      "get-flops " + tsn + " --shape 0 224",
      "get-flops " + tsn + " --shape 1 1 3 224 224",
      "get-flops " + no_model,
      "get-flops " + bmn,
  };
  const auto r =
      test::run_tubelet_all(args, dir.path(), {"r50", "three", "zero", "five", "no_model", "bmn"});
  // The pretrained ResNet-50 is not read (nor downloaded): FLOPs do not depend on weights.
  ASSERT_EQ(r[0].status, 0) << r[0].err;
  EXPECT_NE(r[0].out.find("==============================\nInput shape: (1, 3, 224, 224)\n"
                          "Flops: 4.12 GFLOPs\nParams: 24.33 M\n==============================\n"
                          "!!!Please be cautious if you use the results in papers."),
            std::string::npos)
      << r[0].out;
  EXPECT_NE(r[0].out.find("\n    backbone.layer1: "), std::string::npos) << r[0].out;
  EXPECT_NE(r[0].out.find("\n  relu: 0.01 GFLOPs, 0.233% FLOPs\n"), std::string::npos) << r[0].out;

  EXPECT_NE(r[1].status, 0);
  EXPECT_NE(r[1].err.find("--shape: invalid input shape"), std::string::npos) << r[1].err;
  EXPECT_NE(r[2].status, 0);
  EXPECT_NE(r[2].err.find("--shape: every size must be positive, got 0"), std::string::npos)
      << r[2].err;
  // Five numbers are N C T H W, for a 3D recognizer: a 2D one cannot take them.
  EXPECT_NE(r[3].status, 0);
  EXPECT_NE(r[3].err.find("--shape (1, 1, 3, 224, 224): the model cannot run on a batch of "
                          "shape (1, 1, 1, 3, 224, 224)"),
            std::string::npos)
      << r[3].err;
  EXPECT_NE(r[4].status, 0);
  EXPECT_NE(r[4].err.find("the config has no 'model'"), std::string::npos) << r[4].err;
  EXPECT_NE(r[5].status, 0);
  EXPECT_NE(r[5].err.find("FLOPs counter is currently not supported with BMN"), std::string::npos)
      << r[5].err;
}

}  // namespace tubelet::flops_counter_test
