// train_cfg.aux_info: the batch tensors a recognizer's train_step hands to its loss besides
// imgs and label, as MMAction2's BaseRecognizer does (HVULoss's mask and category_mask).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/config/config.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/recognizers/base_recognizer.h"

namespace tubelet::aux_info_test {
namespace {

std::shared_ptr<BaseRecognizerImpl> recognizer(const std::string& loss,
                                               const std::string& train_cfg) {
  const std::string text =
      "model = dict(type='Recognizer2D', backbone=dict(type='ResNet', depth=18, num_stages=1, "
      "out_indices=(0, ), strides=(1, ), dilations=(1, ), pretrained=None), "
      "cls_head=dict(type='TSNHead', num_classes=5, in_channels=64, dropout_ratio=0.0, "
      "multi_class=True, loss_cls=" +
      loss + "), train_cfg=" + train_cfg + ")\n";
  auto model = build_model(load_config_text(text, "/tmp/aux.py").at("model"));
  return std::dynamic_pointer_cast<BaseRecognizerImpl>(model);
}

const std::string kHvuLoss =
    "dict(type='HVULoss', categories=['a', 'b'], category_nums=[2, 3], "
    "category_loss_weights=[1, 1], with_mask=True, loss_type='all')";

Batch hvu_batch(const torch::Tensor& mask) {
  torch::manual_seed(3);
  Batch b;
  b.tensors = {{"imgs", torch::randn({2, 1, 3, 16, 16})},
               {"label", torch::tensor({{1., 0., 0., 1., 1.}, {0., 1., 1., 0., 0.}})},
               {"mask", mask},
               {"category_mask", torch::tensor({{1., 1.}, {1., 0.}})}};
  return b;
}

double loss_cls(const StepOutputs& out) {
  for (const auto& [name, value] : out.log_vars)
    if (name == "loss_cls") return value;
  ADD_FAILURE() << "no loss_cls";
  return 0;
}

TEST(AuxInfo, HVULossGetsTheBatchMasks) {
  auto model = recognizer(kHvuLoss, "dict(aux_info=['mask', 'category_mask'])");
  model->eval();  // no batch statistics: the scores below are the ones train_step sees
  ASSERT_EQ(model->aux_info, (std::vector<std::string>{"mask", "category_mask"}));
  const torch::Tensor mask = torch::tensor({{1., 1., 1., 1., 1.}, {1., 1., 0., 0., 0.}});
  const Batch batch = hvu_batch(mask);
  torch::NoGradGuard no_grad;
  const torch::Tensor scores = model->forward_dummy(batch.at("imgs"));
  // MMAction2's 'all' with a mask: per video the masked mean of the BCE over its tags.
  const torch::Tensor bce = torch::binary_cross_entropy_with_logits(scores, batch.at("label"), {},
                                                                    {}, at::Reduction::None);
  const double expected = ((bce * mask).sum(1) / mask.sum(1)).mean().item<double>();
  EXPECT_NEAR(loss_cls(model->train_step(batch)), expected, 1e-6);
  // The mask matters: all tags counted gives another loss.
  EXPECT_GT(std::abs(loss_cls(model->train_step(hvu_batch(torch::ones({2, 5})))) - expected), 1e-4);
}

TEST(AuxInfo, ErrorsSayWhatIsMissing) {
  auto model = recognizer(kHvuLoss, "dict(aux_info=['mask', 'category_mask'])");
  Batch no_mask = hvu_batch(torch::ones({2, 5}));
  no_mask.tensors.erase(no_mask.tensors.begin() + 2);
  EXPECT_NE(test::error_of([&] {
              model->train_step(no_mask);
            }).find("train_cfg.aux_info names 'mask', which the batch does not have"),
            std::string::npos);
  auto ce = recognizer("dict(type='BCELossWithLogits')", "dict(aux_info=['mask'])");
  EXPECT_NE(test::error_of([&] {
              ce->train_step(hvu_batch(torch::ones({2, 5})));
            }).find("takes no extra inputs, but train_cfg.aux_info gives it 'mask'"),
            std::string::npos);
  auto only_mask = recognizer(kHvuLoss, "dict(aux_info=['mask'])");
  EXPECT_NE(test::error_of([&] {
              only_mask->train_step(hvu_batch(torch::ones({2, 5})));
            }).find("needs both mask and category_mask"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              recognizer(kHvuLoss, "dict(aux_info=['label'])");
            }).find("'label' is passed anyway"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::aux_info_test
