// TEM (BSN's temporal evaluation module) against MMAction2's own TEM: labels, losses,
// gradients and test output (tests/fixtures/localizers/tem.pth).
#include "tubelet/models/localizers/tem.h"

#include "localizer_fixture.h"

namespace tubelet::tem_test {
namespace {

using namespace test_localizers;

constexpr const char* kTinyTem =
    "dict(type='TEM', temporal_dim=8, boundary_ratio=0.1, tem_feat_dim=6, tem_hidden_dim=5, "
    "tem_match_threshold=0.5, conv3_ratio=0.5)";

TEST(TEMParity, LabelsLossesGradientsAndTestOutput) {
  auto c = fixture("tem");
  auto model = build_as<TEMImpl>(kTinyTem);
  load_weights(*model, c);
  std::vector<torch::Tensor> gt = {entry(c, "gt_bbox_0"), entry(c, "gt_bbox_1")};
  TEMLabels labels = model->generate_labels(gt);
  EXPECT_EQ(max_abs_diff(labels.action, entry(c, "label_action")), 0.0);
  EXPECT_EQ(max_abs_diff(labels.start, entry(c, "label_start")), 0.0);
  EXPECT_EQ(max_abs_diff(labels.end, entry(c, "label_end")), 0.0);

  Batch batch;
  batch.tensors.emplace_back("raw_feature", entry(c, "input"));
  batch.lists.emplace_back("gt_bbox", gt);
  model->train();
  StepOutputs step = model->train_step(batch);
  step.loss.backward();
  expect_close(step.loss, entry(c, "loss"), "loss");
  ASSERT_EQ(step.log_vars.size(), 4u);
  const char* names[] = {"loss_action", "loss_start", "loss_end", "loss"};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(step.log_vars[i].first, names[i]);
    EXPECT_NEAR(step.log_vars[i].second, entry(c, names[i]).item<double>(), 1e-5);
  }
  EXPECT_EQ(step.num_samples, 2);
  expect_gradients(*model, c);

  model->eval();
  torch::NoGradGuard no_grad;
  expect_close(model->forward(entry(c, "input")), entry(c, "tem_output"), "tem_output", 1e-6);
  Dict a, b;
  a.set("video_name", Value("a"));
  b.set("video_name", Value("b"));
  batch.metas = {a, b};
  ASSERT_TRUE(model->gives_records());
  List records = model->test_records(batch);
  ASSERT_EQ(records.size(), 2u);
  torch::Tensor expected = entry(c, "test_output");  // [2, T, 5]
  for (int64_t n = 0; n < 2; ++n) {
    const Dict& r = records[n].as_dict();
    EXPECT_EQ(r.at("video_name").as_str(), n == 0 ? "a" : "b");
    const List& rows = r.at("tem_output").as_list();
    ASSERT_EQ(static_cast<int64_t>(rows.size()), expected.size(1));
    for (int64_t t = 0; t < expected.size(1); ++t)
      for (int64_t k = 0; k < 5; ++k)
        EXPECT_NEAR(rows[t].as_list()[k].as_float(), expected[n][t][k].item<double>(),
                    k < 3 ? 1e-6 : 0.0);
  }
}

TEST(TEMErrors, WrongFeatureWidthOrLengthNamesTheArgument) {
  auto model = build_as<TEMImpl>(kTinyTem);
  auto what = [&](const torch::Tensor& x) { return test::error_of([&] { model->forward(x); }); };
  EXPECT_NE(what(torch::zeros({1, 7, 8})).find("tem_feat_dim is 6"), std::string::npos);
  EXPECT_NE(what(torch::zeros({1, 6, 9})).find("temporal_dim is 8"), std::string::npos);
  EXPECT_NE(what(torch::zeros({6, 8})).find("expects features"), std::string::npos);
  Batch batch;
  batch.tensors.emplace_back("raw_feature", torch::zeros({1, 6, 8}));
  batch.lists.emplace_back("gt_bbox", std::vector<torch::Tensor>{torch::zeros({0, 2})});
  EXPECT_NE(test::error_of([&] { model->train_step(batch); }).find("gt_bbox of video 0"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              build(
                  "dict(type='TEM', temporal_dim=8, boundary_ratio=0.1, tem_hidden_dim=5, "
                  "tem_match_threshold=0.5)");
            }).find("tem_feat_dim"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              build(
                  "dict(type='TEM', temporal_dim=8, boundary_ratio=0.1, tem_feat_dim=6, "
                  "tem_hidden_dim=5, tem_match_threshold=0.5, no_such_arg=1)");
            }).find("no_such_arg"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::tem_test
