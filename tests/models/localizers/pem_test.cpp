// PEM (BSN's proposal evaluation module) against MMAction2's own PEM: scores, the
// subsampled smooth-L1 loss (same seed, same draws), gradients and the soft-NMSed proposal
// list in float32 (tests/fixtures/localizers/pem.pth).
#include "tubelet/models/localizers/pem.h"

#include "localizer_fixture.h"

namespace tubelet::pem_test {
namespace {

using namespace test_localizers;

constexpr const char* kTinyPem =
    "dict(type='PEM', pem_feat_dim=6, pem_hidden_dim=5, pem_u_ratio_m=1, pem_u_ratio_l=2, "
    "pem_high_temporal_iou_threshold=0.6, pem_low_temporal_iou_threshold=0.2, "
    "soft_nms_alpha=0.75, soft_nms_low_threshold=0.65, soft_nms_high_threshold=0.9, "
    "post_process_top_k=12, fc1_ratio=1.0, fc2_ratio=1.0)";

TEST(PEMParity, LossGradientsAndProposals) {
  auto c = fixture("pem");
  auto model = build_as<PEMImpl>(kTinyPem);
  load_weights(*model, c);
  Batch batch;
  batch.lists.emplace_back("bsp_feature", std::vector<torch::Tensor>{entry(c, "bsp_feature_0"),
                                                                     entry(c, "bsp_feature_1")});
  batch.lists.emplace_back("reference_temporal_iou",
                           std::vector<torch::Tensor>{entry(c, "reference_temporal_iou_0"),
                                                      entry(c, "reference_temporal_iou_1")});
  expect_close(model->forward(*batch.list("bsp_feature")), entry(c, "pem_output"), "pem_output",
               1e-6);
  torch::manual_seed(5);
  StepOutputs step = model->train_step(batch);
  step.loss.backward();
  expect_close(step.loss, entry(c, "temporal_iou_loss"), "temporal_iou_loss", 1e-6);
  ASSERT_EQ(step.log_vars.size(), 2u);
  EXPECT_EQ(step.log_vars[0].first, "temporal_iou_loss");
  EXPECT_EQ(step.num_samples, 2);
  expect_gradients(*model, c);

  model->eval();
  torch::NoGradGuard no_grad;
  Batch test;
  test.tensors.emplace_back("bsp_feature", entry(c, "test_bsp_feature").unsqueeze(0));
  for (const char* name : {"tmin", "tmax", "tmin_score", "tmax_score"})
    test.tensors.emplace_back(name, entry(c, name).unsqueeze(0));
  test.metas.push_back(tiny_video_meta());
  List records = model->test_records(test);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].as_dict().at("video_name").as_str(), "v_tiny");
  torch::Tensor ours = proposal_rows(records[0].as_dict().at("proposal_list").as_list());
  torch::Tensor expected = entry(c, "proposals");
  ASSERT_EQ(ours.sizes(), expected.sizes());
  EXPECT_LE(max_abs_diff(ours.slice(1, 0, 2), expected.slice(1, 0, 2)), 1e-12);
  EXPECT_LE(max_abs_diff(ours.select(1, 2), expected.select(1, 2)), 1e-6);
}

TEST(PEMErrors, WrongFeatureWidthNamesTheArgument) {
  auto model = build_as<PEMImpl>(kTinyPem);
  std::string e = test::error_of([&] { model->forward({torch::zeros({4, 7})}); });
  EXPECT_NE(e.find("pem_feat_dim = 6"), std::string::npos) << e;
  Batch batch;
  batch.lists.emplace_back("bsp_feature", std::vector<torch::Tensor>{torch::zeros({4, 6})});
  batch.lists.emplace_back("reference_temporal_iou", std::vector<torch::Tensor>{torch::zeros({3})});
  e = test::error_of([&] { model->train_step(batch); });
  EXPECT_NE(e.find("reference_temporal_iou"), std::string::npos) << e;
}

}  // namespace
}  // namespace tubelet::pem_test
