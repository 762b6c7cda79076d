// BMN and BMNLoss against MMAction2's own source (tests/fixtures/localizers/bmn.pth): labels
// from gt_bbox, the training loss with the same random draws, gradients, BMNLoss's parts,
// forward_test's proposal list; error paths; a few Adam steps lower the loss.
#include "tubelet/models/localizers/bmn.h"

#include <torch/optim/adam.h>

#include "localizer_fixture.h"

namespace tubelet::bmn_test {
namespace {

using namespace test_localizers;

constexpr const char* kTinyBmn =
    "dict(type='BMN', temporal_dim=8, boundary_ratio=0.5, num_samples=4, "
    "num_samples_per_bin=2, feat_dim=8, soft_nms_alpha=0.4, soft_nms_low_threshold=0.5, "
    "soft_nms_high_threshold=0.9, post_process_top_k=6, feature_extraction_interval=16, "
    "hidden_dim_1d=8, hidden_dim_2d=4, hidden_dim_3d=8)";

Batch train_batch(const checkpoint::Checkpoint& c) {
  Batch batch;
  batch.tensors.emplace_back("raw_feature", entry(c, "input"));
  batch.lists.emplace_back(
      "gt_bbox", std::vector<torch::Tensor>{entry(c, "gt_bbox_0"), entry(c, "gt_bbox_1")});
  return batch;
}

TEST(BMNParity, LabelsLossGradientsAndProposals) {
  auto c = fixture("bmn");
  auto model = build_as<BMNImpl>(kTinyBmn);
  EXPECT_EQ(max_abs_diff(model->sample_mask, c.state_dict["sample_mask"]), 0.0);
  EXPECT_FALSE(model->sample_mask.requires_grad());
  load_weights(*model, c);
  EXPECT_EQ(max_abs_diff(model->bm_mask, entry(c, "bm_mask")), 0.0);
  Batch batch = train_batch(c);
  BMNLabels labels = model->generate_labels(*batch.list("gt_bbox"));
  EXPECT_EQ(max_abs_diff(labels.confidence, entry(c, "label_confidence")), 0.0);
  EXPECT_EQ(max_abs_diff(labels.start, entry(c, "label_start")), 0.0);
  EXPECT_EQ(max_abs_diff(labels.end, entry(c, "label_end")), 0.0);

  torch::manual_seed(8);
  StepOutputs step = model->train_step(batch);
  step.loss.backward();
  expect_close(step.loss, entry(c, "loss"), "loss");
  ASSERT_EQ(step.log_vars.size(), 1u);
  EXPECT_EQ(step.log_vars[0].first, "loss");
  expect_gradients(*model, c);

  model->eval();
  torch::NoGradGuard no_grad;
  BMNOutputs out = model->forward(entry(c, "input"));
  expect_close(out.confidence_map, entry(c, "confidence_map"), "confidence_map", 1e-6);
  expect_close(out.start, entry(c, "start"), "start", 1e-6);
  Batch test;
  test.tensors.emplace_back("raw_feature", entry(c, "input").slice(0, 0, 1));
  test.metas.push_back(tiny_video_meta());
  List records = model->test_records(test);
  ASSERT_EQ(records.size(), 1u);
  torch::Tensor ours = proposal_rows(records[0].as_dict().at("proposal_list").as_list());
  torch::Tensor expected = entry(c, "proposals");
  ASSERT_EQ(ours.sizes(), expected.sizes());
  EXPECT_LE(max_abs_diff(ours.slice(1, 0, 2), expected.slice(1, 0, 2)), 1e-12);
  EXPECT_LE(max_abs_diff(ours.select(1, 2), expected.select(1, 2)), 1e-6);
}

TEST(BMNLossParity, PartsAndGradients) {
  auto c = fixture("bmn");
  torch::Tensor pred_bm = entry(c, "loss_pred_bm").clone().requires_grad_();
  torch::Tensor pred_start = entry(c, "loss_pred_start").clone().requires_grad_();
  torch::Tensor pred_end = entry(c, "loss_pred_end").clone().requires_grad_();
  BMNLossImpl loss;
  torch::manual_seed(10);
  BMNLossParts parts =
      loss.forward(pred_bm, pred_start, pred_end, entry(c, "label_confidence"),
                   entry(c, "label_start"), entry(c, "label_end"), entry(c, "bm_mask"));
  parts.loss.backward();
  expect_close(parts.loss, entry(c, "loss_total"), "loss");
  expect_close(parts.tem_loss, entry(c, "loss_tem"), "tem_loss");
  expect_close(parts.pem_reg_loss, entry(c, "loss_pem_reg"), "pem_reg_loss");
  expect_close(parts.pem_cls_loss, entry(c, "loss_pem_cls"), "pem_cls_loss");
  expect_close(pred_bm.grad(), entry(c, "loss_grad_pred_bm"), "grad pred_bm");
  expect_close(pred_start.grad(), entry(c, "loss_grad_pred_start"), "grad pred_start");
  expect_close(pred_end.grad(), entry(c, "loss_grad_pred_end"), "grad pred_end");
}

TEST(BMNErrors, WrongFeatureWidthOrLengthNamesTheArgument) {
  auto model = build_as<BMNImpl>(kTinyBmn);
  auto what = [&](const torch::Tensor& x) { return test::error_of([&] { model->forward(x); }); };
  EXPECT_NE(what(torch::zeros({1, 12, 8})).find("feat_dim is 8"), std::string::npos);
  EXPECT_NE(what(torch::zeros({1, 8, 10})).find("temporal_dim is 8"), std::string::npos);
  Batch batch;
  batch.tensors.emplace_back("raw_feature", torch::zeros({2, 8, 8}));
  batch.lists.emplace_back("gt_bbox", std::vector<torch::Tensor>{torch::tensor({{0.1, 0.5}})});
  EXPECT_NE(test::error_of([&] { model->train_step(batch); }).find("1 gt_bbox for a batch of 2"),
            std::string::npos);
  std::string e = test::error_of([&] {
    build(
        "dict(type='BMN', temporal_dim=8, boundary_ratio=0.5, num_samples=4, "
        "num_samples_per_bin=2, feat_dim=8, soft_nms_alpha=0.4, soft_nms_low_threshold=0.5, "
        "soft_nms_high_threshold=0.9)");
  });
  EXPECT_NE(e.find("post_process_top_k"), std::string::npos) << e;
  Batch test;
  test.tensors.emplace_back("raw_feature", torch::zeros({1, 8, 8}));
  Dict meta;
  meta.set("video_name", Value("v"));
  test.metas.push_back(meta);
  model->eval();
  e = test::error_of([&] { model->test_records(test); });
  EXPECT_NE(e.find("duration_frame"), std::string::npos) << e;
  // A feature file of the wrong width reaches the model as a batch: the error names its videos.
  Batch wide;
  wide.tensors.emplace_back("raw_feature", torch::zeros({1, 400, 8}));
  wide.metas.push_back(meta);
  e = test::error_of([&] { model->test_records(wide); });
  EXPECT_NE(e.find("400 channels but feat_dim is 8"), std::string::npos) << e;
  EXPECT_NE(e.find("the batch's videos: v"), std::string::npos) << e;
}

TEST(BMNTraining, AdamStepsLowerTheLoss) {
  auto c = fixture("bmn");
  auto model = build_as<BMNImpl>(kTinyBmn);
  load_weights(*model, c);
  Batch batch = train_batch(c);
  std::vector<torch::Tensor> trainable;
  for (const auto& p : model->parameters())
    if (p.requires_grad()) trainable.push_back(p);
  torch::optim::Adam adam(trainable, torch::optim::AdamOptions(1e-2));
  model->train();
  auto loss_at = [&] {
    torch::manual_seed(0);  // the same subsampling draws each time
    return model->train_step(batch);
  };
  double first = loss_at().loss.item<double>();
  for (int i = 0; i < 15; ++i) {
    adam.zero_grad();
    loss_at().loss.backward();
    adam.step();
  }
  double last = loss_at().loss.item<double>();
  EXPECT_LT(last, 0.8 * first) << first << " -> " << last;
  EXPECT_EQ(max_abs_diff(model->sample_mask, c.state_dict["sample_mask"]), 0.0);
}

}  // namespace
}  // namespace tubelet::bmn_test
