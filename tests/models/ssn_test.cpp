// SSN, SSNHead and SSNLoss against MMAction2 0.24.1 itself: tests/fixtures/ssn (written by
// tools/fixtures/make_ssn_fixtures.py). keys.json: the state_dicts of the two THUMOS14 configs'
// model dicts; ssn_small.pth: a tiny SSN's forward_train losses, scores and gradients and its
// forward_test outputs, on formula weights and images (formula_fixture.h's fill/input_of).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "models/formula_fixture.h"
#include "models/localizers/localizer_fixture.h"
#include "tubelet/config/dump.h"
#include "tubelet/models/heads/ssn_head.h"
#include "tubelet/models/localizers/ssn.h"
#include "tubelet/models/losses/ohem_hinge_loss.h"
#include "tubelet/models/losses/ssn_loss.h"
#include "tubelet/models/registries.h"

namespace tubelet::ssn_test {
namespace {

using test_localizers::build_as;

constexpr const char* kTrainCfg =
    "dict(ssn=dict(assigner=dict(positive_iou_threshold=0.7, background_iou_threshold=0.01, "
    "incomplete_iou_threshold=0.3, background_coverage_threshold=0.02, "
    "incomplete_overlap_threshold=0.01), sampler=dict(num_per_video=8, positive_ratio=1, "
    "background_ratio=1, incomplete_ratio=6, add_gt_as_proposals=True), "
    "loss_weight=dict(comp_loss_weight=0.1, reg_loss_weight=0.1), debug=False))";
constexpr const char* kTestCfg =
    "dict(ssn=dict(sampler=dict(test_interval=6, batch_size=16), evaluater=dict(top_k=2000, "
    "nms=0.2, softmax_before_filter=True, cls_score_dict=None, cls_top_k=2)))";

// The model dicts of configs/localization/ssn/ssn_r50_450e_thumos14_rgb_{train,test}.py
// (backbone.pretrained=None).
std::string full_model(bool train) {
  std::string consensus = train ? "dict(type='STPPTrain', stpp_stage=(1, 1, 1), "
                                  "num_segments_list=(2, 5, 2))"
                                : "dict(type='STPPTest', stpp_stage=(1, 1, 1))";
  return std::string(
             "dict(type='SSN', backbone=dict(type='ResNet', pretrained=None, depth=50, "
             "norm_eval=False, partial_bn=True), spatial_type='avg', dropout_ratio=0.8, ") +
         (train ? "loss_cls=dict(type='SSNLoss'), " : "") +
         "cls_head=dict(type='SSNHead', dropout_ratio=0., in_channels=2048, num_classes=20, "
         "consensus=" +
         consensus + ", use_regression=True), " +
         (train ? std::string("train_cfg=") + kTrainCfg : std::string("test_cfg=") + kTestCfg) +
         ")";
}

// make_ssn_fixtures.py's small_model.
std::string small_model(bool train, bool with_test_cfg = true) {
  std::string consensus = train ? "dict(type='STPPTrain', stpp_stage=(1, (1, 2), 1), "
                                  "num_segments_list=(2, 5, 2))"
                                : "dict(type='STPPTest', stpp_stage=(1, (1, 2), 1))";
  return std::string(
             "dict(type='SSN', backbone=dict(type='ResNet', pretrained=None, depth=18, "
             "num_stages=1, out_indices=(0,), strides=(1,), dilations=(1,), norm_eval=False, "
             "partial_bn=True), spatial_type='avg', dropout_ratio=0, cls_head=dict("
             "type='SSNHead', dropout_ratio=0., in_channels=64, num_classes=3, consensus=") +
         consensus + ", use_regression=True), train_cfg=" + kTrainCfg +
         (with_test_cfg ? ", test_cfg=dict(ssn=dict(sampler=dict(batch_size=4)))" : "") + ")";
}

checkpoint::Checkpoint fixture() {
  return checkpoint::load_checkpoint(
      (test::source_dir() / "tests/fixtures/ssn/ssn_small.pth").string());
}

torch::Tensor entry(const checkpoint::Checkpoint& c, const std::string& key) {
  return test_localizers::entry(c, key);
}

// Element-wise closeness with NaN equal to NaN (MMAction2 averages empty tick ranges).
void expect_close(const torch::Tensor& ours, const torch::Tensor& ref, const std::string& what,
                  double tol = 1e-5) {
  ASSERT_EQ(ours.sizes(), ref.sizes()) << what;
  torch::Tensor a = ours.detach().to(torch::kDouble), b = ref.to(torch::kDouble);
  EXPECT_TRUE(torch::equal(torch::isnan(a), torch::isnan(b))) << what << ": NaNs differ";
  torch::Tensor fin = ~torch::isnan(b);
  if (fin.sum().item<int64_t>() == 0) return;
  const double scale = std::max(b.masked_select(fin).abs().max().item<double>(), 1.0);
  const double diff = (a.masked_select(fin) - b.masked_select(fin)).abs().max().item<double>();
  EXPECT_LE(diff, tol * scale) << what << ": max |diff| " << diff;
}

void expect_keys(const std::string& model_text, const std::string& name) {
  auto model = build_as<SSNImpl>(model_text);
  auto ours = checkpoint::state_dict(*model);
  auto file = test::source_dir() / "tests/fixtures/ssn/keys.json";
  const Value all = from_json(test::read_text(file), file.string());
  const List& expected = all.as_dict().at(name).as_list();
  ASSERT_EQ(ours.size(), expected.size()) << name;
  for (size_t i = 0; i < ours.size(); ++i) {
    const List& row = expected[i].as_list();
    EXPECT_EQ(ours[i].key(), row[0].as_str()) << name << " #" << i;
    std::vector<int64_t> shape;
    for (const Value& d : row[1].as_list()) shape.push_back(d.as_int());
    EXPECT_EQ(ours[i].value().sizes().vec(), shape) << ours[i].key();
  }
}

TEST(SSNModel, ThumosConfigsBuildMmaction2StateDicts) {
  expect_keys(full_model(true), "ssn_r50_train");
  expect_keys(full_model(false), "ssn_r50_test");
}

TEST(SSNModel, ForwardTrainMatchesMmaction2) {
  auto c = fixture();
  auto model = build_as<SSNImpl>(small_model(true));
  test::fill(*model);
  model->train();
  torch::Tensor imgs = test::input_of(test::json::array({2, 8, 9, 3, 28, 28}));
  NamedTensors losses =
      model->forward_train(imgs, entry(c, "train_scale_factor"), entry(c, "train_type"),
                           entry(c, "train_labels"), entry(c, "train_reg_targets"));
  ASSERT_EQ(losses.size(), 3u);
  EXPECT_EQ(losses[0].first, "loss_activity");
  EXPECT_EQ(losses[1].first, "loss_completeness");
  EXPECT_EQ(losses[2].first, "loss_reg");
  torch::Tensor total = torch::zeros({});
  for (auto& [name, value] : losses) {
    expect_close(value, entry(c, name), name);
    total = total + value.sum();
  }
  total.backward();
  expect_close(model->cls_head->activity_fc->weight.grad(), entry(c, "grad_activity_fc"),
               "activity_fc grad");
  expect_close(model->cls_head->completeness_fc->weight.grad(), entry(c, "grad_completeness_fc"),
               "completeness_fc grad");
  expect_close(model->cls_head->regressor_fc->weight.grad(), entry(c, "grad_regressor_fc"),
               "regressor_fc grad");
  torch::Tensor conv1_grad;
  for (const auto& p : model->named_parameters())
    if (p.key() == "backbone.conv1.conv.weight") conv1_grad = p.value().grad();
  ASSERT_TRUE(conv1_grad.defined());
  expect_close(conv1_grad.slice(0, 0, 2), entry(c, "grad_conv1"), "conv1 grad", 1e-4);

  torch::NoGradGuard no_grad;
  SSNTrainScores scores = model->cls_head->forward_train(
      model->pooled_feat(imgs.reshape({-1, 3, 28, 28})), entry(c, "train_scale_factor"));
  expect_close(scores.activity, entry(c, "train_activity"), "activity scores");
  expect_close(scores.completeness, entry(c, "train_completeness"), "completeness scores");
  expect_close(scores.bbox_preds, entry(c, "train_bbox"), "bbox preds");
}

TEST(SSNModel, ForwardTestMatchesMmaction2) {
  auto c = fixture();
  auto model = build_as<SSNImpl>(small_model(false));
  test::fill(*model);
  model->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor imgs = test::input_of(test::json::array({1, 10, 3, 28, 28}));
  SSNTestResult r =
      model->forward_test(imgs, entry(c, "test_relative"), entry(c, "test_scale_factors"),
                          entry(c, "test_ticks"), entry(c, "test_reg_norm_consts"));
  EXPECT_TRUE(model->is_test_prepared);
  expect_close(model->cls_head->test_fc_weight, entry(c, "test_fc_weight"), "test_fc weight", 0);
  expect_close(model->cls_head->test_fc_bias, entry(c, "test_fc_bias"), "test_fc bias", 0);
  expect_close(r.relative_proposal_list, entry(c, "test_relative_proposal_list"), "relative", 0);
  expect_close(r.activity_scores, entry(c, "test_activity_scores"), "activity scores");
  expect_close(r.completeness_scores, entry(c, "test_completeness_scores"), "completeness");
  expect_close(r.bbox_preds, entry(c, "test_bbox_preds"), "bbox preds");
  // The fixture's tick ranges include an empty one (MMAction2 gives NaN activity there).
  EXPECT_TRUE(torch::isnan(r.activity_scores[5]).all().item<bool>());

  // test_records: the same arrays as nested lists, one record per batch.
  Batch batch;
  batch.tensors.emplace_back("imgs", imgs);
  batch.tensors.emplace_back("relative_proposal_list", entry(c, "test_relative"));
  batch.tensors.emplace_back("scale_factor_list", entry(c, "test_scale_factors"));
  batch.tensors.emplace_back("proposal_tick_list", entry(c, "test_ticks"));
  batch.tensors.emplace_back("reg_norm_consts", entry(c, "test_reg_norm_consts"));
  List records = model->test_records(batch);
  ASSERT_EQ(records.size(), 1u);
  const Dict& rec = records[0].as_dict();
  const List& bbox = rec.at("bbox_preds").as_list();
  ASSERT_EQ(bbox.size(), 8u);
  EXPECT_NEAR(bbox[2].as_list()[1].as_list()[0].as_float(), r.bbox_preds[2][1][0].item<double>(),
              1e-6);
  EXPECT_EQ(rec.at("completeness_scores").as_list()[0].as_list().size(), 3u);
}

// STPPTrain by hand: one sample, 1 + 3 + 1 segments, stpp_stage (1, (1, 2), 1).
TEST(SSNHead, StppTrainPoolsPartsByHand) {
  SSNConsensusOptions o;
  o.stpp_stage = {{1}, {1, 2}, {1}};
  o.num_segments_list = {1, 3, 1};
  torch::Tensor x = torch::arange(5, torch::kFloat).view({5, 1});  // one channel
  torch::Tensor scale = torch::tensor({{2.0f, 3.0f}});
  auto [course, stpp] = ssn_stpp_train(o, x, scale);
  EXPECT_TRUE(torch::allclose(course, torch::tensor({{2.0f}})));
  // starting: 0 * 2; course (multiplier 3): mean(1,2,3)/3, [ticks 0,1,3] mean(1)/3,
  // mean(2,3)/3; ending: 4 * 3.
  torch::Tensor want = torch::tensor({{0.0f, 2.0f / 3, 1.0f / 3, 2.5f / 3, 12.0f}});
  EXPECT_TRUE(torch::allclose(stpp, want)) << stpp;
  EXPECT_THROW(ssn_stpp_train(o, torch::zeros({7, 1}), scale), std::invalid_argument);
  EXPECT_THROW(ssn_stpp_train(o, x, torch::ones({2, 2})), std::invalid_argument);
}

TEST(SSNLoss, RegressionAndCompletenessByHand) {
  // Regression: row i reads class labels[i] - 1; smooth L1 (beta 1) mean, times 2.
  torch::Tensor pred = torch::zeros({2, 3, 2});
  pred[0][1][0] = 0.5;
  pred[1][2][1] = 3.0;
  torch::Tensor labels = torch::tensor({2, 3});
  torch::Tensor targets = torch::zeros({2, 2});
  torch::Tensor idx = torch::tensor({0, 1});
  // |0.5| -> 0.125, |3| -> 2.5: mean over 4 = 0.65625, times 2.
  EXPECT_NEAR(ssn_classwise_regression_loss(pred, labels, targets, idx).item<double>(), 1.3125,
              1e-6);
  // Completeness: 1 positive + 2 incomplete per video, ohem_ratio 0.5 keeps 1 incomplete.
  torch::Tensor comp = torch::tensor({{0.5f, 0.f}, {0.f, 2.f}, {0.f, -0.5f}});
  torch::Tensor clabels = torch::tensor({1, 2, 2});
  // positive: 1 - 0.5 = 0.5; incomplete hinges 1 + 2 = 3 and 1 - 0.5 = 0.5, keep 3.
  torch::Tensor loss = ssn_completeness_loss(comp, clabels, torch::tensor({0, 1, 2}), 1, 2, 0.5);
  EXPECT_NEAR(loss.item<double>(), (0.5 + 3.0) / 2.0, 1e-6);
  EXPECT_THROW(ssn_completeness_loss(comp, clabels, torch::tensor({0, 1}), 1, 2, 0.5),
               std::invalid_argument);
}

void expect_build_error(const std::string& text, const std::string& needle) {
  try {
    test_localizers::build(text);
    ADD_FAILURE() << "built: " << text;
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(SSNModel, BadArgumentsNameTheArgument) {
  std::string head_ok =
      "cls_head=dict(type='SSNHead', in_channels=64, num_classes=3, consensus=dict("
      "type='STPPTrain', stpp_stage=(1, 1, 1)))";
  std::string backbone =
      "dict(type='SSN', backbone=dict(type='ResNet', pretrained=None, depth=18, num_stages=1, "
      "out_indices=(0,), strides=(1,), dilations=(1,)), ";
  expect_build_error(backbone + "cls_head=dict(type='SSNHead', in_channels=64, num_classes=3))",
                     "consensus");
  expect_build_error(backbone +
                         "cls_head=dict(type='SSNHead', consensus=dict(type='STPP', "
                         "stpp_stage=(1, 1, 1))))",
                     "STPPTrain");
  expect_build_error(backbone +
                         "cls_head=dict(type='SSNHead', consensus=dict(type='STPPTrain', "
                         "stpp_stage=(1, 1))))",
                     "stpp_stage");
  expect_build_error(backbone +
                         "cls_head=dict(type='SSNHead', consensus=dict(type='STPPTrain', "
                         "stpp_stage=(1, 'a', 1))))",
                     "stpp_stage");
  expect_build_error(backbone +
                         "cls_head=dict(type='SSNHead', consensus=dict(type='STPPTrain', "
                         "num_segments_list=(2, 5))))",
                     "num_segments_list");
  expect_build_error(backbone +
                         "cls_head=dict(type='SSNHead', num_classes=0, consensus=dict("
                         "type='STPPTest')))",
                     "num_classes");
  expect_build_error(backbone + head_ok + ", dropout_ratio=1.5)", "dropout_ratio");
  expect_build_error(backbone + head_ok + ", loss_cls=dict(type='BMNLoss'))", "SSNLoss");
  expect_build_error(backbone + head_ok + ", train_cfg=dict(ssn=dict(sampler=dict())))",
                     "loss_weight");
  expect_build_error(backbone + head_ok + ", test_cfg=dict(ssn=dict(sampler=dict())))",
                     "batch_size");
  expect_build_error(backbone + head_ok + ", bogus=1)", "bogus");
  expect_build_error(std::string("dict(type='SSN', backbone=dict(type='ResNet', pretrained=None, "
                                 "depth=18), cls_head=dict(type='TSNHead', in_channels=64, "
                                 "num_classes=3))"),
                     "SSNHead");
}

TEST(SSNModel, MissingCfgAndBadInputsAreClearErrors) {
  // A test-config model cannot train, a train-config one cannot test.
  auto test_model = build_as<SSNImpl>(
      "dict(type='SSN', backbone=dict(type='ResNet', pretrained=None, depth=18, num_stages=1, "
      "out_indices=(0,), strides=(1,), dilations=(1,)), cls_head=dict(type='SSNHead', "
      "in_channels=64, num_classes=3, consensus=dict(type='STPPTest', stpp_stage=(1, 1, 1))), "
      "test_cfg=dict(ssn=dict(sampler=dict(batch_size=2))))");
  torch::Tensor imgs = torch::zeros({1, 8, 9, 3, 28, 28});
  EXPECT_THROW(test_model->forward_train(imgs, torch::ones({1, 8, 2}), torch::zeros({1, 8}),
                                         torch::zeros({1, 8}), torch::zeros({1, 8, 2})),
               std::invalid_argument);
  auto train_model = build_as<SSNImpl>(small_model(true, /*with_test_cfg=*/false));
  EXPECT_FALSE(train_model->options.test_batch_size().has_value());
  EXPECT_THROW(train_model->forward_test(torch::zeros({1, 2, 3, 28, 28}), torch::zeros({1, 1, 2}),
                                         torch::ones({1, 1, 2}), torch::zeros({1, 1, 4}),
                                         torch::zeros({1, 2, 2})),
               std::invalid_argument);
  EXPECT_THROW(train_model->forward_train(torch::zeros({8, 3, 28, 28}), torch::ones({1, 8, 2}),
                                          torch::zeros({1, 8}), torch::zeros({1, 8}),
                                          torch::zeros({1, 8, 2})),
               std::invalid_argument);
  // SSNHead is no recognizer head.
  EXPECT_THROW(train_model->cls_head->forward_scores(torch::zeros({1, 64}), 1), std::logic_error);
  // STPPTest checks its score width.
  SSNConsensusOptions o;
  o.train = false;
  o.stpp_stage = {{1}, {1}, {1}};
  EXPECT_THROW(ssn_stpp_test(o, 3, torch::zeros({4, 5}), torch::zeros({1, 4}), torch::ones({1, 2})),
               std::invalid_argument);
}

}  // namespace
}  // namespace tubelet::ssn_test
