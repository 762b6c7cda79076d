// ResNet, TSNHead and Recognizer2D: MMAction2's names and numbers, and its forward pass on
// the golden TSN model when ../shared is there.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/config/config.h"
#include "tubelet/models/backbones/resnet.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/recognizers/recognizer2d.h"

namespace tubelet::tsn_test {
namespace {

using test::error_of;

std::shared_ptr<torch::nn::Module> build(const std::string& model_text) {
  return build_model(load_config_text("model = " + model_text + "\n", "/tmp/tsn.py").at("model"));
}

int64_t count_parameters(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

TEST(ResNet, ParameterCountsMatchTorchvision) {
  // torchvision's resnet18/50 without the fc layer.
  EXPECT_EQ(count_parameters(*build("dict(type='ResNet', depth=18)")), 11176512);
  EXPECT_EQ(count_parameters(*build("dict(type='ResNet', depth=50)")), 23508032);
}

TEST(ResNet, CheckpointKeysFollowMmaction2) {
  auto r = build(
      "dict(type='ResNet', depth=50, num_stages=1, out_indices=(0, ), strides=(1, ), "
      "dilations=(1, ))");
  auto params = r->named_parameters();
  for (const char* key : {"conv1.conv.weight", "conv1.bn.weight", "layer1.0.conv1.conv.weight",
                          "layer1.0.conv3.bn.bias", "layer1.0.downsample.conv.weight",
                          "layer1.0.downsample.bn.weight", "layer1.2.conv2.conv.weight"})
    EXPECT_TRUE(params.contains(key)) << key;
  EXPECT_TRUE(r->named_buffers().contains("layer1.0.downsample.bn.running_var"));
}

TEST(ResNet, OutIndicesStridesAndStyle) {
  auto r = std::dynamic_pointer_cast<ResNetImpl>(
      build("dict(type='ResNet', depth=18, out_indices=(1, 3), strides=(1, 2, 2, 1))"));
  auto outs = r->forward_features(torch::randn({1, 3, 64, 64}));
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_EQ(outs[0].sizes(), (std::vector<int64_t>{1, 128, 8, 8}));
  EXPECT_EQ(outs[1].sizes(), (std::vector<int64_t>{1, 512, 4, 4}));
  auto caffe = build(
      "dict(type='ResNet', depth=50, style='caffe', num_stages=2, out_indices=(1, ), "
      "strides=(1, 2), dilations=(1, 1))");
  EXPECT_EQ(caffe->named_parameters()["layer2.0.conv1.conv.weight"].sizes(),
            (std::vector<int64_t>{128, 256, 1, 1}));
}

TEST(ResNet, FrozenStagesNormEvalAndPartialBn) {
  auto r = build("dict(type='ResNet', depth=18, frozen_stages=1, norm_eval=True)");
  r->train();
  auto params = r->named_parameters();
  EXPECT_FALSE(params["conv1.conv.weight"].requires_grad());
  EXPECT_FALSE(params["layer1.1.conv2.conv.weight"].requires_grad());
  EXPECT_TRUE(params["layer2.0.conv1.conv.weight"].requires_grad());
  for (const auto& m : r->named_modules()) {
    if (m.key().size() > 3 && m.key().substr(m.key().size() - 3) == ".bn") {
      EXPECT_FALSE(m.value()->is_training()) << m.key();
    }
  }
  auto p = build("dict(type='ResNet', depth=18, partial_bn=True)");
  p->train();
  auto pp = p->named_parameters();
  EXPECT_TRUE(pp["conv1.bn.weight"].requires_grad());
  EXPECT_FALSE(pp["layer1.0.conv1.bn.weight"].requires_grad());
  EXPECT_TRUE(p->named_modules()["conv1.bn"]->is_training());
  EXPECT_FALSE(p->named_modules()["layer1.0.conv1.bn"]->is_training());
}

std::string model_error(const std::string& model_text) {
  return error_of([&] {
    build_model(load_config_text("model = " + model_text + "\n", "/tmp/errors.py").at("model"));
  });
}

TEST(BuildModel, AnUnknownTypeNamesEveryRegistrySearched) {
  const std::string e = model_error("dict(type='NoSuchModel', backbone=dict(type='ResNet'))");
  EXPECT_NE(e.find("/tmp/errors.py:1:"), std::string::npos) << e;
  EXPECT_NE(e.find("'NoSuchModel' is not in the RECOGNIZERS, LOCALIZERS, DETECTORS, BACKBONES, "
                   "NECKS, HEADS or LOSSES registries"),
            std::string::npos)
      << e;
  EXPECT_NE(model_error("dict(type='Recognizer2d')").find("did you mean 'Recognizer2D'?"),
            std::string::npos);
}

TEST(BuildModel, ModuleErrorsNameTheConfigFileAndLine) {
  std::string head = "\n    cls_head=dict(type='TSNHead', ";
  std::string e = model_error(
      "dict(\n    type='Recognizer2D',\n    backbone=dict(type='ResNet', "
      "depth=51)," +
      head + "num_classes=4, in_channels=512))");
  EXPECT_EQ(e.rfind("/tmp/errors.py:3:", 0), 0u) << e;
  EXPECT_NE(e.find("model.backbone: invalid depth 51"), std::string::npos) << e;
  // Sizes are checked before LibTorch is asked for a negative-sized weight (X3DHead reads its
  // own arguments).
  for (const char* type : {"TSNHead", "X3DHead"}) {
    head = std::string("\n    cls_head=dict(type='") + type + "', ";
    for (const char* bad : {"num_classes=-2, in_channels=512))", "num_classes=0, in_channels=512))",
                            "num_classes=4, in_channels=-1))"}) {
      e = model_error("dict(type='Recognizer2D',\n    backbone=dict(type='ResNet', depth=18)," +
                      head + bad);
      EXPECT_NE(e.find("/tmp/errors.py:3:"), std::string::npos) << type << ": " << e;
      EXPECT_NE(e.find("must be positive, not"), std::string::npos) << type << ": " << e;
      EXPECT_EQ(e.find("negative dimension"), std::string::npos) << type << ": " << e;
    }
  }
}

TEST(ResNet, BadArgumentsAreClearErrors) {
  EXPECT_NE(
      error_of([] { build("dict(type='ResNet', depth=20)"); }).find("invalid depth 20 for resnet"),
      std::string::npos);
  EXPECT_NE(error_of([] {
              build("dict(type='ResNet', depth=18, out_indices=(4, ))");
            }).find("out_indices must be below num_stages"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              build("dict(type='ResNet', depth=18, pretrained='torchvision://resnet19')");
            }).find("'resnet19' is not in"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              build("dict(type='ResNet', depth=18, pretrained='/nonexistent/x.pth')");
            }).find("/nonexistent/x.pth"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              build("dict(type='ResNet', depth=18, norm_cfg=dict(type='BX'))");
            }).find("'BX' is not in the NORM_LAYERS registry"),
            std::string::npos);
}

TEST(ResNet, LoadsTorchvisionNamedWeights) {
  torch::manual_seed(0);
  auto source = build("dict(type='ResNet', depth=18)");
  // The same weights under torchvision's names, plus its classifier.
  checkpoint::StateDict tv;
  auto rename = [](std::string key) {
    auto swap = [&](const std::string& from, const std::string& to) {
      size_t p = key.find(from);
      if (p != std::string::npos) key.replace(p, from.size(), to);
    };
    swap("downsample.conv.", "downsample.0.");
    swap("downsample.bn.", "downsample.1.");
    for (const char* n : {"1", "2", "3"}) {
      swap(std::string("conv") + n + ".conv.", std::string("conv") + n + ".");
      swap(std::string("conv") + n + ".bn.", std::string("bn") + n + ".");
    }
    return key;
  };
  for (const auto& p : source->named_parameters())
    tv.insert(rename(p.key()), p.value().detach().clone());
  for (const auto& b : source->named_buffers()) tv.insert(rename(b.key()), b.value().clone());
  tv.insert("fc.weight", torch::zeros({1000, 512}));
  ASSERT_TRUE(tv.contains("layer2.0.downsample.0.weight"));
  ASSERT_TRUE(tv.contains("bn1.running_var"));
  test::TempDir dir;
  std::string path = (dir.path() / "resnet18_tv.pth").string();
  checkpoint::save_checkpoint(path, tv);
  torch::manual_seed(1);
  auto loaded = build("dict(type='ResNet', depth=18, pretrained='" + path + "')");
  auto expected = source->named_parameters();
  for (const auto& p : loaded->named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), expected[p.key()])) << p.key();
  auto expected_buffers = source->named_buffers();
  for (const auto& b : loaded->named_buffers())
    EXPECT_TRUE(torch::equal(b.value(), expected_buffers[b.key()])) << b.key();
}

const char* kTsnR18TwoStage =
    "dict(type='Recognizer2D', backbone=dict(type='ResNet', pretrained=None, depth=18, "
    "num_stages=2, out_indices=(1, ), strides=(1, 2), dilations=(1, 1), norm_eval=False), "
    "cls_head=dict(type='TSNHead', num_classes=5, in_channels=128, spatial_type='avg', "
    "consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=0.4, init_std=0.01), "
    "train_cfg=None, test_cfg=dict(average_clips='prob'))";

TEST(Recognizer2D, ScoresPerVideoAndClipAveraging) {
  auto model = std::dynamic_pointer_cast<Recognizer2DImpl>(build(kTsnR18TwoStage));
  ASSERT_TRUE(model);
  model->eval();
  auto imgs = torch::randn({2, 3, 3, 32, 32});
  auto probs = model->forward_test(imgs);
  EXPECT_EQ(probs.sizes(), (std::vector<int64_t>{2, 5}));
  EXPECT_TRUE(torch::allclose(probs.sum(1), torch::ones({2})));
  EXPECT_EQ(model->forward_dummy(imgs).sizes(), (std::vector<int64_t>{2, 5}));
  auto keys = model->named_parameters().keys();
  EXPECT_EQ(keys.back(), "cls_head.fc_cls.bias");
}

TEST(Recognizer2D, ConfigErrors) {
  EXPECT_NE(error_of([] {
              build(
                  "dict(type='Recognizer2D', backbone=dict(type='TSNHead', num_classes=2, "
                  "in_channels=4))");
            }).find("'TSNHead' is not in the BACKBONES registry"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              build(
                  "dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18), "
                  "test_cfg=dict(average_clips='mean'))");
            }).find("average_clips must be 'score', 'prob' or None"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              build(
                  "dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18), "
                  "cls_head=dict(type='TSNHead', num_classes=2, in_channels=512, "
                  "consensus=dict(type='MaxConsensus')))");
            }).find("only AvgConsensus is supported"),
            std::string::npos);
}

TEST(Recognizer2DGolden, TsnR18MatchesMmaction2Forward) {
  TUBELET_REQUIRE_SHARED();
  auto file = test::shared_dir() / "golden/forward/tsn_r18_2stage.pth";
  auto ckpt = checkpoint::load_checkpoint(file.string());
  auto model = std::dynamic_pointer_cast<Recognizer2DImpl>(build(kTsnR18TwoStage));
  auto report = checkpoint::load_state_dict(*model, ckpt.state_dict, /*strict=*/true);
  EXPECT_TRUE(report.ok()) << report.message();
  model->eval();
  auto tensor = [&](const char* key) {
    const checkpoint::PyObject* t = ckpt.raw.root->get(key);
    EXPECT_TRUE(t && t->is(checkpoint::PyObject::Kind::Tensor)) << key;
    return t->tensor;
  };
  torch::NoGradGuard no_grad;
  torch::Tensor input = tensor("input");
  EXPECT_TRUE(torch::allclose(model->forward_test(input), tensor("output"), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(model->forward_dummy(input), tensor("cls_score"), 1e-4, 1e-5));
  torch::Tensor frames = input.reshape({-1, 3, 64, 64});
  EXPECT_TRUE(torch::allclose(model->extract_feat(frames), tensor("backbone_feat"), 1e-4, 1e-4));
}

}  // namespace
}  // namespace tubelet::tsn_test
