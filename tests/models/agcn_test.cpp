// AGCN (2s-AGCN's backbone) and SkeletonGCN with AGCN against MMAction2 0.24.1
// (tests/fixtures/gcn, from tools/fixtures/make_gcn_fixtures.py), its init and its errors.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "gcn_fixture.h"
#include "tubelet/config/config.h"
#include "tubelet/models/backbones/agcn.h"
#include "tubelet/models/recognizers/skeleton_gcn.h"

namespace tubelet::agcn_test {
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

TEST(AGCN, ForwardMatchesMmaction2) {
  for (const char* name : {"agcn_ntu", "agcn_openpose_uniform_nobn"}) {
    SCOPED_TRACE(name);
    const ojson& c = test::gcn_case(name);
    auto model = test::build_gcn(c["args"], "AGCN");
    test::expect_ordered_keys(*model, c["keys"]);
    test::fill_gcn(*model);
    model->eval();
    torch::NoGradGuard no_grad;
    auto backbone = std::dynamic_pointer_cast<AGCNImpl>(model);
    ASSERT_TRUE(backbone);
    test::expect_gcn_output(backbone->forward(test::gcn_input(c["input"])), c["output"], 1e-4);
  }
}

TEST(AGCN, SkeletonGCNMatchesMmaction2) {
  const ojson& c = test::gcn_case("skeleton_gcn_agcn_ntu");
  auto gcn = std::dynamic_pointer_cast<SkeletonGCNImpl>(test::build_gcn(c["model"]));
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
    test::expect_log_vars(gcn->val_step(batch).log_vars, c["val_log_vars"], 1e-5);
  }
  gcn->train();
  test::expect_log_vars(gcn->train_step(batch).log_vars, c["train_log_vars"], 1e-5);
}

// MMAction2's AGCN init helpers receive tensors, on which mmcv's initialisers do nothing:
// only PA = 1e-6 differs from PyTorch's defaults (bn weights stay 1, conv biases random).
TEST(AGCN, InitAsMmaction2Really) {
  AGCN m(AGCNOptions(3).graph_cfg(SkeletonGraphOptions().layout("ntu-rgb+d").strategy("agcn")));
  auto params = m->named_parameters();
  torch::Tensor pa = params["agcn_networks.3.gcn.PA"];
  EXPECT_EQ(pa.sizes(), (std::vector<int64_t>{3, 25, 25}));
  EXPECT_TRUE(torch::all(pa == 1e-6f).item<bool>());
  EXPECT_TRUE(torch::all(params["agcn_networks.3.gcn.bn.weight"] == 1).item<bool>());
  EXPECT_GT(params["agcn_networks.3.gcn.conv_a.0.bias"].abs().max().item<double>(), 0);
  // PyTorch's default conv init: kaiming_uniform(a=sqrt(5)), std 1 / sqrt(3 * fan_in).
  EXPECT_NEAR(params["agcn_networks.9.tcn.0.weight"].std().item<double>(),
              1 / std::sqrt(3.0 * 256 * 9), 0.0005);
  EXPECT_TRUE(torch::equal(m->named_buffers()["A"], m->graph.A().to(torch::kFloat)));
  // The first block widens 3 -> 64: its gcn has `down`; it has no residual.
  EXPECT_TRUE(params.contains("agcn_networks.0.gcn.down.0.weight"));
  EXPECT_FALSE(params.contains("agcn_networks.0.residual.0.weight"));
  EXPECT_TRUE(params.contains("agcn_networks.4.residual.0.weight"));
  EXPECT_FALSE(params.contains("agcn_networks.5.gcn.down.0.weight"));
}

TEST(AGCN, ErrorsNameTheModel) {
  AGCN m(AGCNOptions(3).graph_cfg(SkeletonGraphOptions().layout("ntu-rgb+d").strategy("agcn")));
  m->eval();
  std::string e = error_of([&] { m->forward(torch::zeros({3, 8, 25, 2})); });
  EXPECT_NE(e.find("AGCN"), std::string::npos) << e;
  EXPECT_NE(e.find("[N, C, T, V, M]"), std::string::npos) << e;
  e = error_of([&] { m->forward(torch::zeros({1, 3, 8, 17, 2})); });
  EXPECT_NE(e.find("25 joints"), std::string::npos) << e;
  // distance with max_hop 1 gives 2 matrices, which AGCN's 3 PA matrices cannot add to.
  e = error_of([&] {
    AGCN(AGCNOptions(3).graph_cfg(SkeletonGraphOptions().layout("ntu-rgb+d").strategy("distance")));
  });
  EXPECT_NE(e.find("AGCN"), std::string::npos) << e;
  EXPECT_NE(e.find("distance"), std::string::npos) << e;
  e = error_of([&] {
    build_model(load_config_text("model = dict(type='AGCN', in_channels=3, graph_cfg=dict("
                                 "layout='coco', strategy='agcn'))\n",
                                 "/tmp/agcn.py")
                    .at("model"));
  });
  EXPECT_NE(e.find("strategy"), std::string::npos) << e;
  EXPECT_NE(e.find("coco"), std::string::npos) << e;
}

}  // namespace
}  // namespace tubelet::agcn_test
