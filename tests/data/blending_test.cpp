// MixupBlending / CutmixBlending against MMAction2 0.24.1's blending_utils.py run by Python's
// PyTorch with the same torch seed (tests/fixtures/blending, made by
// tools/fixtures/make_blending_fixtures.py), the soft-label head loss against MMAction2's
// BaseHead.loss + CrossEntropyLoss, and train_cfg.blending in a recognizer's train step.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "../support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/data/blendings/cutmix_blending.h"
#include "tubelet/data/blendings/mixup_blending.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/recognizers/base_recognizer.h"
#include "tubelet/models/registries.h"

namespace tubelet::blending_test {
namespace {

using nlohmann::json;

const json& fixture() {
  static const json all =
      json::parse(test::read_text(test::source_dir() / "tests/fixtures/blending/blending.json"));
  return all;
}

torch::Tensor tensor_of(const json& values, const json& shape) {
  std::vector<float> v = values.get<std::vector<float>>();
  return torch::tensor(v).reshape(shape.get<std::vector<int64_t>>());
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

Value config_value(const std::string& text) {
  return load_config_text("x = " + text + "\n", "/tmp/blending.py").at("x");
}

std::shared_ptr<BaseMiniBatchBlending> build_blending(const std::string& text) {
  return BLENDINGS().build(config_value(text), {"train_cfg.blending"});
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(Blending, MatchesMmaction2ForTheSameTorchSeed) {
  double worst_imgs = 0, worst_label = 0;
  for (const json& c : fixture()["blending"]) {
    SCOPED_TRACE(c["kind"].get<std::string>() + " seed " + std::to_string(c["seed"].get<int>()));
    auto blending = build_blending("dict(type='" + c["kind"].get<std::string>() +
                                   "', num_classes=" + std::to_string(c["num_classes"].get<int>()) +
                                   ", alpha=" + std::to_string(c["alpha"].get<double>()) + ")");
    torch::Tensor imgs = tensor_of(c["imgs"], c["shape"]);
    torch::Tensor label = torch::tensor(c["label"].get<std::vector<int64_t>>()).reshape({-1, 1});
    torch::Tensor before = imgs.clone();
    torch::manual_seed(c["seed"].get<uint64_t>());
    auto [mixed_imgs, mixed_label] = (*blending)(imgs, label);
    EXPECT_EQ(mixed_imgs.scalar_type(), torch::kFloat);
    EXPECT_EQ(mixed_label.scalar_type(), torch::kFloat);
    worst_imgs =
        std::max(worst_imgs, max_abs_diff(mixed_imgs, tensor_of(c["mixed_imgs"], c["shape"])));
    worst_label =
        std::max(worst_label,
                 max_abs_diff(mixed_label, tensor_of(c["mixed_label"], c["mixed_label_shape"])));
    EXPECT_TRUE(imgs.equal(before)) << "the caller's batch must stay as it was";
  }
  // The same draws from the same generator and the same float32 operations: bit for bit.
  EXPECT_EQ(worst_imgs, 0.0);
  EXPECT_EQ(worst_label, 0.0);
  std::cout << "[ blending ] max |imgs - MMAction2| " << worst_imgs << ", max |labels - MMAction2| "
            << worst_label << "\n";
}

TEST(Blending, SoftLabelsSumToOneAndMixTwoVideos) {
  auto blending = build_blending("dict(type='MixupBlending', num_classes=6, alpha=1.0)");
  torch::manual_seed(4);
  auto [imgs, label] =
      (*blending)(torch::rand({5, 2, 3, 4, 4}), torch::tensor({{0}, {1}, {2}, {3}, {5}}));
  EXPECT_EQ(label.sizes(), (std::vector<int64_t>{5, 1, 6}));
  EXPECT_TRUE(torch::allclose(label.sum(-1), torch::ones({5, 1})));
  EXPECT_LE((label > 0).sum(-1).max().item<int64_t>(), 2);
}

TEST(Blending, SoftLabelLossMatchesMmaction2sHead) {
  double worst = 0;
  for (const json& c : fixture()["head_loss"]) {
    const json& l = c["loss_cls"];
    std::string loss = "dict(type='CrossEntropyLoss'";
    if (l.contains("loss_weight"))
      loss += ", loss_weight=" + std::to_string(l["loss_weight"].get<double>());
    if (l.contains("class_weight")) {
      loss += ", class_weight=[";
      for (double w : l["class_weight"]) loss += std::to_string(w) + ",";
      loss += "]";
    }
    loss += ")";
    auto head = std::dynamic_pointer_cast<Head>(HEADS().build(
        config_value(
            "dict(type='TSNHead', num_classes=" + std::to_string(c["num_classes"].get<int>()) +
            ", in_channels=4, loss_cls=" + loss + ")"),
        {"model.cls_head"}));
    ASSERT_TRUE(head);
    torch::Tensor label = tensor_of(c["label"], c["label_shape"]);
    torch::Tensor score = tensor_of(
        c["cls_score"],
        json::array({label.dim() == 1 ? 1 : label.size(0), c["num_classes"].get<int64_t>()}));
    LossDict losses = head->loss(score, label);
    ASSERT_EQ(losses.size(), 1u) << "no top-k accuracy for soft labels, as MMAction2";
    EXPECT_EQ(losses[0].first, "loss_cls");
    worst = std::max(worst, std::abs(losses[0].second.item<double>() - c["loss"].get<double>()));
  }
  EXPECT_LT(worst, 1e-6);
  std::cout << "[ blending ] max |soft-label loss - MMAction2| " << worst << "\n";
}

std::shared_ptr<BaseRecognizerImpl> tiny_recognizer(const std::string& train_cfg) {
  auto model = build_model(
      load_config_text("model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, "
                       "num_stages=1, out_indices=(0, ), strides=(1, ), dilations=(1, ), "
                       "pretrained=None), cls_head=dict(type='TSNHead', num_classes=5, "
                       "in_channels=64, dropout_ratio=0.0), train_cfg=" +
                           train_cfg + ")\n",
                       "/tmp/blending_model.py")
          .at("model"),
      "model");
  return std::dynamic_pointer_cast<BaseRecognizerImpl>(model);
}

double log_var(const StepOutputs& out, const std::string& name) {
  for (const auto& [key, value] : out.log_vars)
    if (key == name) return value;
  ADD_FAILURE() << "no log variable " << name;
  return 0;
}

TEST(Blending, RecognizerTrainStepBlendsAndDropsAccuracies) {
  for (const char* kind : {"MixupBlending", "CutmixBlending"}) {
    SCOPED_TRACE(kind);
    torch::manual_seed(0);
    auto model = tiny_recognizer(std::string("dict(blending=dict(type='") + kind +
                                 "', num_classes=5, alpha=1.0))");
    ASSERT_TRUE(model && model->blending);
    model->train();
    Batch batch;
    batch.tensors = {{"imgs", torch::randn({4, 2, 3, 16, 16})},
                     {"label", torch::tensor({{1}, {0}, {4}, {2}})}};

    torch::manual_seed(21);
    StepOutputs out = model->train_step(batch);
    // By hand: the same draws, then the head's soft-label loss on the blended batch.
    torch::manual_seed(21);
    auto [imgs, soft] = (*model->blending)(batch.at("imgs"), batch.at("label"));
    LossDict expected = model->forward_train(imgs, soft);
    ASSERT_EQ(expected.size(), 1u);
    EXPECT_NEAR(out.loss.item<double>(), expected[0].second.item<double>(), 1e-6);
    std::vector<std::string> keys;
    for (const auto& kv : out.log_vars) keys.push_back(kv.first);
    EXPECT_EQ(keys, (std::vector<std::string>{"loss_cls", "loss"}));
    EXPECT_NEAR(log_var(out, "loss"), out.loss.item<double>(), 1e-6);
    // val_step blends too: MMAction2's val_step calls forward(return_loss=True).
    torch::manual_seed(21);
    StepOutputs val = model->val_step(batch);
    EXPECT_NEAR(val.loss.item<double>(), out.loss.item<double>(), 1e-6);
  }
}

TEST(Blending, NoTrainCfgKeepsHardLabelsAndAccuracies) {
  torch::manual_seed(0);
  for (const char* cfg : {"None", "dict()", "dict(blending=None)"}) {
    auto model = tiny_recognizer(cfg);
    ASSERT_TRUE(model);
    EXPECT_FALSE(model->blending) << cfg;
    Batch batch;
    batch.tensors = {{"imgs", torch::randn({2, 1, 3, 16, 16})},
                     {"label", torch::tensor({{1}, {3}})}};
    StepOutputs out = model->train_step(batch);
    EXPECT_EQ(out.log_vars.front().first, "top1_acc") << cfg;
  }
}

TEST(Blending, ConfigErrors) {
  std::string e =
      error_of([] { tiny_recognizer("dict(blending=dict(type='MixUpBlending', num_classes=5))"); });
  EXPECT_NE(e.find("model.train_cfg.blending"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'MixupBlending'"), std::string::npos) << e;

  for (const char* alpha : {"0", "-0.5"}) {
    e = error_of([&] {
      tiny_recognizer(
          std::string("dict(blending=dict(type='CutmixBlending', num_classes=5, alpha=") + alpha +
          "))");
    });
    EXPECT_NE(e.find("alpha must be positive"), std::string::npos) << e;
    EXPECT_NE(e.find("model.train_cfg.blending"), std::string::npos) << e;
  }
  e = error_of([] { tiny_recognizer("dict(blending=dict(type='MixupBlending'))"); });
  EXPECT_NE(e.find("num_classes"), std::string::npos) << e;
  e = error_of(
      [] { tiny_recognizer("dict(blending=dict(type='MixupBlending', num_classes=5, beta=1))"); });
  EXPECT_NE(e.find("unexpected argument 'beta'"), std::string::npos) << e;
  // A train_cfg key nobody reads (aux_info is read: tests/models/aux_info_test.cpp).
  e = error_of([] { tiny_recognizer("dict(aux_infos=['gt_bbox'])"); });
  EXPECT_NE(e.find("aux_infos"), std::string::npos) << e;
  EXPECT_NE(e.find("model.train_cfg"), std::string::npos) << e;

  auto blending = build_blending("dict(type='MixupBlending', num_classes=5)");
  e = error_of([&] { (*blending)(torch::rand({2, 1, 3, 4, 4}), torch::tensor({{0.5f}, {1.f}})); });
  EXPECT_NE(e.find("hard labels"), std::string::npos) << e;
}

TEST(Blending, RegisteredInBlendings) {
  ASSERT_NE(find_registry("BLENDINGS"), nullptr);
  EXPECT_TRUE(BLENDINGS().contains("MixupBlending"));
  EXPECT_TRUE(BLENDINGS().contains("CutmixBlending"));
  auto mixup = std::dynamic_pointer_cast<MixupBlending>(
      build_blending("dict(type='MixupBlending', num_classes=174)"));
  ASSERT_TRUE(mixup);
  EXPECT_DOUBLE_EQ(mixup->alpha(), 0.2);  // MMAction2's default
  EXPECT_EQ(mixup->num_classes(), 174);
}

TEST(Blending, TsmSthv1ConfigsNameTheirBlending) {
  for (const auto& [name, kind] : std::vector<std::pair<std::string, std::string>>{
           {"mixup", "MixupBlending"}, {"cutmix", "CutmixBlending"}}) {
    Dict cfg = load_config((test::source_dir() / "configs/recognition/tsm" /
                            ("tsm_r50_" + name + "_1x1x8_50e_sthv1_rgb.py"))
                               .string());
    const Dict& model = cfg.at("model").as_dict();
    const Value& blending_cfg = model.at("train_cfg").as_dict().at("blending");
    EXPECT_EQ(blending_cfg.as_dict().size(), 3u) << name;
    auto blending = BLENDINGS().build(blending_cfg, {"model.train_cfg.blending"});
    EXPECT_EQ(blending->num_classes(), 174);
    EXPECT_EQ(model.at("cls_head").as_dict().at("num_classes").as_int(), 174);
    EXPECT_EQ(blending_cfg.as_dict().at("type").as_str(), kind);
    EXPECT_EQ(cfg.at("work_dir").as_str(), "./work_dirs/tsm_r50_" + name + "_1x1x8_50e_sthv1_rgb/");
  }
}

}  // namespace
}  // namespace tubelet::blending_test
