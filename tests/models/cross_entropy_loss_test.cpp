// CrossEntropyLoss as MMAction2 computes it, against hand-written formulas.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "tubelet/config/config.h"
#include "tubelet/models/loss.h"
#include "tubelet/models/registries.h"

namespace tubelet::cross_entropy_loss_test {
namespace {

std::shared_ptr<Loss> loss(const std::string& text) {
  auto cfg = load_config_text("l = " + text + "\n", "/tmp/l.py").at("l");
  return std::dynamic_pointer_cast<Loss>(LOSSES().build(cfg, {"loss_cls"}));
}

TEST(CrossEntropyLoss, HardLabelsWithWeights) {
  auto score = torch::tensor({{2.0, 0.5, -1.0}, {0.1, 0.2, 0.3}});
  auto label = torch::tensor({0, 2}, torch::kLong);
  auto lsm = torch::log_softmax(score, 1);
  double plain = -(lsm[0][0].item<double>() + lsm[1][2].item<double>()) / 2;
  EXPECT_NEAR(loss("dict(type='CrossEntropyLoss')")->forward_loss(score, label).item<double>(),
              plain, 1e-6);
  EXPECT_NEAR(loss("dict(type='CrossEntropyLoss', loss_weight=0.5)")
                  ->forward_loss(score, label)
                  .item<double>(),
              0.5 * plain, 1e-6);
  // PyTorch's weighted mean: sum(w_y * nll) / sum(w_y).
  double weighted = -(1.0 * lsm[0][0].item<double>() + 3.0 * lsm[1][2].item<double>()) / 4.0;
  EXPECT_NEAR(loss("dict(type='CrossEntropyLoss', class_weight=[1.0, 2.0, 3.0])")
                  ->forward_loss(score, label)
                  .item<double>(),
              weighted, 1e-6);
}

TEST(CrossEntropyLoss, SoftLabels) {
  auto score = torch::tensor({{2.0, 0.5, -1.0}, {0.1, 0.2, 0.3}});
  auto soft = torch::tensor({{0.7, 0.3, 0.0}, {0.0, 0.5, 0.5}});
  auto lsm = torch::log_softmax(score, 1);
  double expected = -(soft * lsm).sum(1).mean().item<double>();
  EXPECT_NEAR(loss("dict(type='CrossEntropyLoss')")->forward_loss(score, soft).item<double>(),
              expected, 1e-6);
  auto w = torch::tensor({1.0, 2.0, 3.0}).to(torch::kFloat);
  double weighted = (-(soft * lsm * w).sum() / (w * soft).sum()).item<double>();
  EXPECT_NEAR(loss("dict(type='CrossEntropyLoss', class_weight=[1.0, 2.0, 3.0])")
                  ->forward_loss(score, soft)
                  .item<double>(),
              weighted, 1e-6);
  EXPECT_TRUE(loss("dict(type='CrossEntropyLoss', class_weight=[1.0, 2.0, 3.0])")
                  ->named_buffers()
                  .is_empty());  // not a checkpoint key, as in MMAction2
}

}  // namespace
}  // namespace tubelet::cross_entropy_loss_test
