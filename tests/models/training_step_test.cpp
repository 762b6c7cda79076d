// The training path: the head's loss dict, and a few SGD steps that lower the loss.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet::training_step_test {
namespace {

std::shared_ptr<BaseRecognizerImpl> build(const std::string& text) {
  auto m = build_model(load_config_text("model = " + text + "\n", "/tmp/train.py").at("model"));
  return std::dynamic_pointer_cast<BaseRecognizerImpl>(m);
}

double loss_of(const LossDict& d) {
  for (const auto& [name, value] : d)
    if (name == "loss_cls") return value.item<double>();
  return -1;
}

TEST(TrainingStep, LossDictHasMmaction2sKeys) {
  torch::manual_seed(0);
  auto model = build(
      "dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, num_stages=1, "
      "out_indices=(0, ), strides=(1, ), dilations=(1, )), cls_head=dict(type='TSNHead', "
      "num_classes=6, in_channels=64, topk=(1, 3)))");
  auto losses = model->forward_train(torch::randn({2, 3, 3, 32, 32}), torch::tensor({{1}, {4}}));
  ASSERT_EQ(losses.size(), 3u);
  EXPECT_EQ(losses[0].first, "top1_acc");
  EXPECT_EQ(losses[1].first, "top3_acc");
  EXPECT_EQ(losses[2].first, "loss_cls");
  EXPECT_GT(loss_of(losses), 0.0);
}

TEST(TrainingStep, SgdLowersTheLossOfA3dModel) {
  torch::manual_seed(0);
  auto model = build(
      "dict(type='Recognizer3D', backbone=dict(type='ResNet3d', depth=18, pretrained=None, "
      "base_channels=4, num_stages=2, out_indices=(1, ), spatial_strides=(1, 2), "
      "temporal_strides=(1, 1), dilations=(1, 1), zero_init_residual=False), "
      "cls_head=dict(type='I3DHead', num_classes=3, in_channels=8, dropout_ratio=0.0))");
  model->train();
  auto imgs = torch::randn({4, 1, 3, 4, 16, 16});
  auto labels = torch::tensor({0, 1, 2, 1}, torch::kLong);
  torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  double first = 0, last = 0;
  for (int step = 0; step < 15; ++step) {
    opt.zero_grad();
    auto losses = model->forward_train(imgs, labels);
    torch::Tensor loss = losses.back().second;
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, 0.5 * first) << "first " << first << " last " << last;
}

TEST(TrainingStep, MultiClassLabelSmoothing) {
  auto model = build(
      "dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, num_stages=1, "
      "out_indices=(0, ), strides=(1, ), dilations=(1, )), cls_head=dict(type='TSNHead', "
      "num_classes=4, in_channels=64, multi_class=True, label_smooth_eps=0.1, "
      "loss_cls=dict(type='CrossEntropyLoss')))");
  auto losses = model->forward_train(torch::randn({2, 2, 3, 16, 16}),
                                     torch::tensor({{1.f, 0.f, 0.f, 1.f}, {0.f, 1.f, 0.f, 0.f}}));
  ASSERT_EQ(losses.size(), 1u);  // no accuracies for multi-class targets
  EXPECT_EQ(losses[0].first, "loss_cls");
}

}  // namespace
}  // namespace tubelet::training_step_test
