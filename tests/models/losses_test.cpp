// NLLLoss, BCELossWithLogits, CBFocalLoss, BinaryLogisticRegressionLoss, OHEMHingeLoss and
// HVULoss against MMAction2's own loss modules run by Python's PyTorch (tests/fixtures/losses,
// made by tools/fixtures/make_loss_fixtures.py): losses and gradients, plus hand-computed cases.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "../support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/models/losses/binary_logistic_regression_loss.h"
#include "tubelet/models/losses/hvu_loss.h"
#include "tubelet/models/losses/ohem_hinge_loss.h"
#include "tubelet/models/registries.h"

namespace tubelet::losses_test {
namespace {

using nlohmann::json;

std::shared_ptr<Loss> loss(const std::string& text) {
  auto cfg = load_config_text("l = " + text + "\n", "/tmp/l.py").at("l");
  return std::dynamic_pointer_cast<Loss>(LOSSES().build(cfg, {"loss_cls"}));
}

const json& cases() {
  static const json all = json::parse(
      test::read_text(test::source_dir() / "tests/fixtures/losses/losses.json"))["cases"];
  return all;
}

const json& fixture_case(const std::string& name) {
  for (const auto& c : cases())
    if (c["name"] == name) return c;
  throw std::runtime_error("no fixture case " + name);
}

torch::Tensor tensor_of(const json& j, torch::Dtype dtype = torch::kFloat) {
  std::vector<double> data = j["data"].get<std::vector<double>>();
  std::vector<int64_t> shape = j["shape"].get<std::vector<int64_t>>();
  return torch::tensor(data, torch::kDouble).view(shape).to(dtype);
}

void expect_close(const torch::Tensor& got, const torch::Tensor& want, const std::string& what) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  EXPECT_TRUE(torch::allclose(got.to(torch::kDouble), want.to(torch::kDouble), 1e-5, 1e-6))
      << what << "\ngot " << got << "\nwant " << want;
}

// Loss and gradient of `compute(score)` against the fixture.
void check(const json& c, const std::function<torch::Tensor(const torch::Tensor&)>& compute,
           const std::string& key = "loss") {
  torch::Tensor score = tensor_of(c["score"]).requires_grad_(true);
  torch::Tensor value = compute(score);
  EXPECT_NEAR(value.item<double>(), c["expected"][key].get<double>(), 1e-5) << c["name"];
  value.backward();
  expect_close(score.grad(), tensor_of(c["grad"]), c["name"].get<std::string>() + " gradient");
}

TEST(Losses, NLLLossMatchesMMAction2) {
  const json& c = fixture_case("nll");
  auto l = loss(c["cfg"].get<std::string>());
  check(c, [&](const torch::Tensor& s) {
    return l->forward_loss(s, tensor_of(c["label"], torch::kLong));
  });
}

TEST(Losses, NLLLossByHand) {
  auto logp = torch::log(torch::tensor({{0.5, 0.25, 0.25}, {0.1, 0.1, 0.8}}));
  auto l = loss("dict(type='NLLLoss', loss_weight=2.0)");
  double want = 2.0 * -(std::log(0.25) + std::log(0.8)) / 2;
  EXPECT_NEAR(l->forward_loss(logp, torch::tensor({1, 2})).item<double>(), want, 1e-6);
}

TEST(Losses, BCELossWithLogitsMatchesMMAction2) {
  for (const char* name : {"bce", "bce_weighted"}) {
    const json& c = fixture_case(name);
    auto l = loss(c["cfg"].get<std::string>());
    check(c, [&](const torch::Tensor& s) { return l->forward_loss(s, tensor_of(c["label"])); });
    EXPECT_TRUE(l->named_buffers().is_empty());  // class_weight is no checkpoint key
  }
}

TEST(Losses, BCELossWithLogitsByHand) {
  // One logit 0 with target 1: log 2; class weight 3 and loss_weight 0.5 scale it.
  auto l = loss("dict(type='BCELossWithLogits', loss_weight=0.5, class_weight=[3.0])");
  EXPECT_NEAR(l->forward_loss(torch::zeros({1, 1}), torch::ones({1, 1})).item<double>(),
              0.5 * 3.0 * std::log(2.0), 1e-6);
  EXPECT_NE(test::error_of([] { loss("dict(type='BCELossWithLogits', weight=1)"); }).find("weight"),
            std::string::npos);
}

TEST(Losses, CBFocalLossMatchesMMAction2) {
  for (const char* name : {"cb_focal_2.0", "cb_focal_0.0"}) {
    const json& c = fixture_case(name);
    auto l = loss(c["cfg"].get<std::string>());
    check(c, [&](const torch::Tensor& s) {
      return l->forward_loss(s, tensor_of(c["label"], torch::kLong));
    });
  }
}

TEST(Losses, CBFocalLossByHand) {
  // Two classes with equal counts: weights 1; gamma 0 leaves the plain BCE of the one-hot
  // labels, summed and divided by the one label.
  auto l = loss("dict(type='CBFocalLoss', samples_per_cls=[5, 5], gamma=0)");
  double want = std::log(2.0) + std::log(1 + std::exp(0.0));  // logits 0: log 2 each
  EXPECT_NEAR(l->forward_loss(torch::zeros({1, 2}), torch::tensor({1})).item<double>(), want, 1e-6);
}

TEST(Losses, BinaryLogisticRegressionLossMatchesMMAction2) {
  auto l = loss("dict(type='BinaryLogisticRegressionLoss')");
  for (const char* name : {"blr", "blr_few_positive", "blr_all_positive"}) {
    const json& c = fixture_case(name);
    check(c, [&](const torch::Tensor& s) { return l->forward_loss(s, tensor_of(c["label"])); });
  }
  const json& c = fixture_case("blr_options");
  auto blr = std::dynamic_pointer_cast<BinaryLogisticRegressionLossImpl>(l);
  ASSERT_TRUE(blr);
  auto options = BinaryLogisticRegressionOptions()
                     .threshold(c["threshold"])
                     .ratio_low(c["ratio_range"][0])
                     .ratio_high(c["ratio_range"][1])
                     .eps(c["eps"]);
  check(c, [&](const torch::Tensor& s) { return blr->forward(s, tensor_of(c["label"]), options); });
}

TEST(Losses, BinaryLogisticRegressionLossByHand) {
  // 4 entries, 1 positive: ratio 4, coefficients 2 (positive) and 2/3 (negative).
  auto score = torch::tensor({0.8, 0.3, 0.1, 0.6});
  auto label = torch::tensor({0.9, 0.2, 0.0, 0.5});  // 0.5 is not above the threshold
  double eps = 1e-5;
  double want = -(2 * std::log(0.8 + eps) +
                  2.0 / 3 * (std::log(0.7 + eps) + std::log(0.9 + eps) + std::log(0.4 + eps))) /
                4;
  EXPECT_NEAR(binary_logistic_regression_loss(score, label).item<double>(), want, 1e-6);
  EXPECT_NE(test::error_of([] {
              loss("dict(type='BinaryLogisticRegressionLoss', loss_weight=1)");
            }).find("loss_weight"),
            std::string::npos);  // MMAction2's module takes no arguments
}

TEST(OHEMHingeLoss, MatchesMMAction2) {
  for (const auto& c : cases()) {
    if (c["name"].get<std::string>().rfind("ohem", 0) != 0) continue;
    double scale = c["grad_scale"];
    torch::Tensor labels = tensor_of(c["label"], torch::kLong);
    torch::Tensor pred = tensor_of(c["score"]).requires_grad_(true);
    torch::Tensor value =
        ohem_hinge_loss(pred, labels, c["is_positive"], c["ohem_ratio"], c["group_size"]);
    EXPECT_EQ(value.sizes(), (std::vector<int64_t>{1}));
    EXPECT_NEAR(value.item<double>(), c["expected"]["loss"].get<double>(), 1e-5) << c["name"];
    (scale * value).sum().backward();
    expect_close(pred.grad(), tensor_of(c["grad"]), c["name"].get<std::string>() + " gradient");
  }
}

TEST(OHEMHingeLoss, ByHand) {
  // One group of 3; label 0 reads the last column. Hinges: 1 - 0.2, 1 - 2 -> 0, 1 + 0.5.
  auto pred = torch::tensor({{0.2, 9.0}, {2.0, 9.0}, {9.0, -0.5}}).requires_grad_(true);
  auto labels = torch::tensor({1, 1, 0});
  auto value = ohem_hinge_loss(pred, labels, 1, 0.34, 3);  // keeps the largest one
  EXPECT_NEAR(value.item<double>(), 1.5, 1e-6);
  value.backward();
  auto want = torch::tensor({{0.0, 0.0}, {0.0, 0.0}, {0.0, -1.0}});
  EXPECT_TRUE(torch::equal(pred.grad(), want)) << pred.grad();
  EXPECT_NE(test::error_of([&] {
              ohem_hinge_loss(pred, torch::tensor({1, 1}), 1, 0.5, 3);
            }).find("3 samples and 2 labels"),
            std::string::npos);
}

TEST(HVULoss, MatchesMMAction2) {
  int checked = 0;
  for (const auto& c : cases()) {
    if (c["name"].get<std::string>().rfind("hvu", 0) != 0) continue;
    auto l = std::dynamic_pointer_cast<HVULossImpl>(loss(c["cfg"].get<std::string>()));
    ASSERT_TRUE(l);
    torch::Tensor score = tensor_of(c["score"]).requires_grad_(true);
    LossDict out = l->forward(score, tensor_of(c["label"]), tensor_of(c["mask"]),
                              tensor_of(c["category_mask"]));
    ASSERT_EQ(out.size(), c["expected"].size()) << c["name"];
    for (const auto& [key, value] : c["expected"].items()) {  // nlohmann sorts keys
      auto it = std::find_if(out.begin(), out.end(), [&](auto& kv) { return kv.first == key; });
      ASSERT_NE(it, out.end()) << key;
      EXPECT_NEAR(it->second.item<double>(), value.get<double>(), 1e-5) << c["name"] << " " << key;
    }
    auto loss_cls =
        std::find_if(out.begin(), out.end(), [](auto& kv) { return kv.first == "loss_cls"; });
    loss_cls->second.backward();
    expect_close(score.grad(), tensor_of(c["grad"]), c["name"].get<std::string>() + " gradient");
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

TEST(HVULoss, OrderDefaultsAndMissingCategory) {
  auto l = std::dynamic_pointer_cast<HVULossImpl>(
      loss("dict(type='HVULoss', categories=('a', 'b'), category_nums=(1, 2), "
           "category_loss_weights=(1, 1), loss_type='individual', with_mask=True)"));
  auto score = torch::zeros({2, 3});
  auto label = torch::ones({2, 3});
  // Category 'b' is missing for both videos: its loss is 0 and its weight 0, so loss_cls is
  // 'a' alone: log 2.
  auto category_mask = torch::tensor({{1.0, 0.0}, {1.0, 0.0}});
  LossDict out = l->forward(score, label, torch::ones({2, 3}), category_mask);
  std::vector<std::string> keys;
  for (auto& kv : out) keys.push_back(kv.first);
  EXPECT_EQ(keys, (std::vector<std::string>{"a_LOSS", "b_LOSS", "loss_cls", "a_LOSS_weight",
                                            "b_LOSS_weight"}));
  EXPECT_NEAR(out[2].second.item<double>(), std::log(2.0), 1e-6);
  EXPECT_EQ(out[1].second.item<double>(), 0.0);
  EXPECT_EQ(out[4].second.item<double>(), 0.0);
  EXPECT_NE(test::error_of([&] { l->forward_loss(score, label); }).find("mask"), std::string::npos);
  auto defaults = std::dynamic_pointer_cast<HVULossImpl>(loss("dict(type='HVULoss')"));
  EXPECT_EQ(defaults->options.category_nums(),
            (std::vector<int64_t>{739, 117, 291, 69, 1678, 248}));
  EXPECT_NE(
      test::error_of([] { loss("dict(type='HVULoss', loss_type='some')"); }).find("loss_type"),
      std::string::npos);
}

}  // namespace
}  // namespace tubelet::losses_test
