// STGCN, STGCNHead and SkeletonGCN against MMAction2 0.24.1 (tests/fixtures/gcn, from
// tools/fixtures/make_gcn_fixtures.py): forward outputs, scores, losses and logs, the
// state_dict keys of the eight skeleton configs' models, init, errors and a training step.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "gcn_fixture.h"
#include "tubelet/config/config.h"
#include "tubelet/config/error.h"
#include "tubelet/models/backbones/stgcn.h"
#include "tubelet/models/heads/stgcn_head.h"
#include "tubelet/models/recognizers/skeleton_gcn.h"

namespace tubelet::stgcn_test {
namespace {

using test::ojson;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

void expect_backbone_case(const std::string& name, const std::string& type) {
  const ojson& c = test::gcn_case(name);
  auto model = test::build_gcn(c["args"], type);
  test::expect_ordered_keys(*model, c["keys"]);
  test::fill_gcn(*model);
  model->eval();
  torch::NoGradGuard no_grad;
  auto backbone = std::dynamic_pointer_cast<Backbone>(model);
  ASSERT_TRUE(backbone);
  torch::Tensor y = backbone->forward_features(test::gcn_input(c["input"])).back();
  test::expect_gcn_output(y, c["output"], 1e-4);
}

TEST(STGCN, ForwardMatchesMmaction2) {
  expect_backbone_case("stgcn_coco_spatial", "STGCN");
  expect_backbone_case("stgcn_ntu_spatial_plain", "STGCN");
  expect_backbone_case("stgcn_openpose_distance_nobn", "STGCN");
}

TEST(STGCNHead, ForwardMatchesMmaction2) {
  for (const char* name : {"head_avg", "head_max_one_person"}) {
    const ojson& c = test::gcn_case(name);
    auto model = test::build_gcn(c["args"], "STGCNHead");
    test::expect_ordered_keys(*model, c["keys"]);
    test::fill_gcn(*model);
    model->eval();
    torch::NoGradGuard no_grad;
    auto head = std::dynamic_pointer_cast<Head>(model);
    ASSERT_TRUE(head);
    test::expect_gcn_output(head->forward_scores(test::gcn_input(c["input"]), 1), c["output"],
                            1e-5);
  }
}

// SkeletonGCN: test_step's scores, val_step's logs (eval) and train_step's logs (train mode:
// batch statistics) against MMAction2's model(return_loss=False), val_step and train_step.
void expect_recognizer_case(const std::string& name) {
  const ojson& c = test::gcn_case(name);
  auto model = test::build_gcn(c["model"]);
  auto gcn = std::dynamic_pointer_cast<SkeletonGCNImpl>(model);
  ASSERT_TRUE(gcn);
  test::fill_gcn(*gcn);
  Batch batch;
  batch.tensors = {{"keypoint", test::gcn_input(c["input"])}, {"label", test::gcn_labels(c)}};
  gcn->eval();
  {
    torch::NoGradGuard no_grad;
    torch::Tensor scores = gcn->test_step(batch);
    torch::Tensor want = test::gcn_matrix(c["scores"]);
    ASSERT_EQ(scores.sizes(), want.sizes());
    EXPECT_TRUE(torch::allclose(scores.to(torch::kDouble), want, 1e-4, 1e-6)) << scores << "\n"
                                                                              << want;
    StepOutputs val = gcn->val_step(batch);
    EXPECT_EQ(val.num_samples, 2);
    test::expect_log_vars(val.log_vars, c["val_log_vars"], 1e-5);
  }
  gcn->train();
  StepOutputs train = gcn->train_step(batch);
  test::expect_log_vars(train.log_vars, c["train_log_vars"], 1e-5);
  EXPECT_TRUE(train.loss.requires_grad());
}

TEST(SkeletonGCN, StgcnMatchesMmaction2) {
  expect_recognizer_case("skeleton_gcn_stgcn_coco");
}

// The eight configs of MMAction2's configs/skeleton/{stgcn,2s-agcn}: the model Tubelet builds
// from each has MMAction2's state_dict keys, in order, with the same shapes.
TEST(SkeletonGCN, ConfigModelsHaveMmaction2Keys) {
  ojson configs = test::read_ojson("config_keys.json");
  ASSERT_EQ(configs.size(), 8u);
  for (const auto& [name, c] : configs.items()) {
    SCOPED_TRACE(name);
    auto model = test::build_gcn(c["model"]);
    ASSERT_TRUE(std::dynamic_pointer_cast<SkeletonGCNImpl>(model));
    test::expect_ordered_keys(*model, c["keys"]);
  }
}

TEST(STGCN, InitAsMmaction2InitWeights) {
  STGCN m(STGCNOptions(3).graph_cfg(SkeletonGraphOptions().layout("coco").strategy("spatial")));
  auto params = m->named_parameters();
  EXPECT_EQ(m->named_buffers()["A"].sizes(), (std::vector<int64_t>{3, 17, 17}));
  EXPECT_TRUE(torch::equal(m->named_buffers()["A"], m->graph.A().to(torch::kFloat)));
  for (const auto& p : params) {
    const std::string& k = p.key();
    if (k.find("edge_importance") == 0 || k.find("bn.weight") != std::string::npos ||
        k.find("tcn.0.weight") != std::string::npos ||
        k.find("tcn.3.weight") != std::string::npos ||
        k.find("residual.1.weight") != std::string::npos) {
      EXPECT_TRUE(torch::all(p.value() == 1).item<bool>()) << k;
    } else if (k.size() > 4 && k.compare(k.size() - 4, 4, "bias") == 0) {
      EXPECT_TRUE(torch::all(p.value() == 0).item<bool>()) << k;
    }
  }
  // kaiming_normal (fan_out, relu): std sqrt(2 / (out_channels * 9)) for the temporal convs.
  torch::Tensor w = params["st_gcn_networks.9.tcn.2.weight"];
  EXPECT_NEAR(w.std().item<double>(), std::sqrt(2.0 / (256 * 9)), 0.002);
  EXPECT_EQ(params["edge_importance.0"].sizes(), (std::vector<int64_t>{3, 17, 17}));
  EXPECT_TRUE(params["edge_importance.9"].requires_grad());
  EXPECT_FALSE(m->named_buffers()["A"].requires_grad());

  auto head =
      test::build_gcn(ojson::parse(R"({"num_classes": 60, "in_channels": 256})"), "STGCNHead");
  auto hp = head->named_parameters();
  EXPECT_TRUE(torch::all(hp["fc.bias"] == 0).item<bool>());
  EXPECT_NEAR(hp["fc.weight"].std().item<double>(), 0.01, 0.001);
}

TEST(STGCN, ErrorsNameTheModelAndLayout) {
  STGCN m(STGCNOptions(3).graph_cfg(SkeletonGraphOptions().layout("coco").strategy("spatial")));
  m->eval();
  std::string e = error_of([&] { m->forward(torch::zeros({2, 3, 8, 17})); });
  EXPECT_NE(e.find("STGCN"), std::string::npos) << e;
  EXPECT_NE(e.find("[N, C, T, V, M]"), std::string::npos) << e;
  e = error_of([&] { m->forward(torch::zeros({1, 3, 8, 25, 1})); });
  EXPECT_NE(e.find("V is 25"), std::string::npos) << e;
  EXPECT_NE(e.find("17 joints"), std::string::npos) << e;
  e = error_of([&] { m->forward(torch::zeros({1, 2, 8, 17, 1})); });
  EXPECT_NE(e.find("in_channels = 3"), std::string::npos) << e;

  auto build = [](const std::string& text) {
    return build_model(load_config_text("model = " + text + "\n", "/tmp/gcn.py").at("model"));
  };
  // MMAction2's STGCN passes its **kwargs to the blocks: only `dropout` exists there.
  e = error_of([&] {
    build("dict(type='STGCN', in_channels=3, graph_cfg=dict(layout='coco'), residual=False)");
  });
  EXPECT_NE(e.find("residual"), std::string::npos) << e;
  e = error_of([&] { build("dict(type='STGCN', graph_cfg=dict(layout='coco'))"); });
  EXPECT_NE(e.find("in_channels"), std::string::npos) << e;
  e = error_of(
      [&] { build("dict(type='STGCNHead', num_classes=3, in_channels=8, spatial_type='sum')"); });
  EXPECT_NE(e.find("spatial_type"), std::string::npos) << e;
  auto head = build("dict(type='STGCNHead', num_classes=3, in_channels=8, num_person=2)");
  e = error_of([&] {
    std::dynamic_pointer_cast<Head>(head)->forward_scores(torch::zeros({3, 8, 2, 17}), 1);
  });
  EXPECT_NE(e.find("STGCNHead"), std::string::npos) << e;
  EXPECT_NE(e.find("num_person = 2"), std::string::npos) << e;

  auto gcn = build(
      "dict(type='SkeletonGCN', backbone=dict(type='STGCN', in_channels=3, "
      "graph_cfg=dict(layout='coco', strategy='spatial')), cls_head=None)");
  Batch batch;
  batch.tensors = {{"keypoint", torch::zeros({1, 3, 4, 17, 1})}, {"label", torch::zeros({1, 1})}};
  e = error_of([&] { std::dynamic_pointer_cast<SkeletonGCNImpl>(gcn)->train_step(batch); });
  EXPECT_NE(e.find("cls_head"), std::string::npos) << e;
  e = error_of([&] {
    build(
        "dict(type='SkeletonGCN', backbone=dict(type='STGCN', in_channels=3, "
        "graph_cfg=dict(layout='coco')), neck=dict(type='TPN'))");
  });
  EXPECT_NE(e.find("neck"), std::string::npos) << e;
}

// One SGD step on a fixed batch lowers the loss on that batch.
TEST(SkeletonGCN, TrainingStepReducesLoss) {
  torch::manual_seed(3);
  auto model = build_model(
      load_config_text("model = dict(type='SkeletonGCN', backbone=dict(type='STGCN', "
                       "in_channels=3, graph_cfg=dict(layout='coco', strategy='spatial')), "
                       "cls_head=dict(type='STGCNHead', num_classes=4, in_channels=256, "
                       "num_person=1))\n",
                       "/tmp/gcn.py")
          .at("model"));
  auto gcn = std::dynamic_pointer_cast<SkeletonGCNImpl>(model);
  ASSERT_TRUE(gcn);
  Batch batch;
  batch.tensors = {{"keypoint", torch::randn({4, 3, 8, 17, 1})},
                   {"label", torch::tensor({0, 1, 2, 3}, torch::kLong).view({4, 1})}};
  torch::optim::SGD sgd(gcn->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  gcn->train();
  StepOutputs first = gcn->train_step(batch);
  EXPECT_EQ(first.num_samples, 4);
  ASSERT_EQ(first.log_vars.back().first, "loss");
  sgd.zero_grad();
  first.loss.backward();
  sgd.step();
  StepOutputs second = gcn->train_step(batch);
  EXPECT_LT(second.loss.item<double>(), first.loss.item<double>());
  // Every parameter got a gradient (A is a buffer, not trained).
  for (const auto& p : gcn->named_parameters()) EXPECT_TRUE(p.value().grad().defined()) << p.key();
}

}  // namespace
}  // namespace tubelet::stgcn_test
