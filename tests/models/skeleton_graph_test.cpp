// The skeleton Graph against MMAction2's (graphs.json: Graph(...).A as STGCN/AGCN register it,
// float32) bitwise, hand-computed entries, and its errors.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "gcn_fixture.h"
#include "tubelet/config/config.h"
#include "tubelet/config/error.h"
#include "tubelet/models/common/skeleton_graph.h"

namespace tubelet::skeleton_graph_test {
namespace {

SkeletonGraph graph_of(const std::string& layout, const std::string& strategy, int64_t max_hop = 1,
                       int64_t dilation = 1) {
  return SkeletonGraph(
      SkeletonGraphOptions().layout(layout).strategy(strategy).max_hop(max_hop).dilation(dilation));
}

TEST(SkeletonGraph, AdjacencyIsBitwiseMmaction2s) {
  test::ojson graphs = test::read_ojson("graphs.json");
  ASSERT_GE(graphs.size(), 24u);
  for (const auto& [name, want] : graphs.items()) {
    std::vector<std::string> parts;
    std::stringstream ss(name);
    for (std::string p; std::getline(ss, p, '/');) parts.push_back(p);
    ASSERT_EQ(parts.size(), 4u) << name;
    // MMAction2's float32 A: zeros but for the listed entries (float32 values, exact as
    // doubles in JSON).
    torch::Tensor expected = torch::zeros(want["shape"].get<std::vector<int64_t>>());
    float* e = expected.data_ptr<float>();
    for (const auto& nz : want["nonzero"])
      e[nz[0].get<int64_t>()] = static_cast<float>(nz[1].get<double>());
    SkeletonGraph g = graph_of(parts[0], parts[1], std::stoll(parts[2]), std::stoll(parts[3]));
    torch::Tensor a = g.A().to(torch::kFloat);
    ASSERT_EQ(a.sizes(), expected.sizes()) << name;
    EXPECT_TRUE(torch::equal(a, expected))
        << name << ": max difference " << (a - expected).abs().max().item<double>();
  }
}

TEST(SkeletonGraph, HandComputedEntries) {
  // coco: the nose (0) links to the eyes (1, 2) and itself; uniform normalises each column
  // by its sum, so column 0 holds 1/3 at rows 0, 1, 2.
  SkeletonGraph coco = graph_of("coco", "uniform");
  EXPECT_EQ(coco.num_node(), 17);
  EXPECT_EQ(coco.center(), 0);
  EXPECT_EQ(coco.edge().size(), 17u + 19u);
  torch::Tensor a = coco.A();
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{1, 17, 17}));
  EXPECT_EQ(a[0][0][0].item<double>(), 1.0 / 3);
  EXPECT_EQ(a[0][1][0].item<double>(), 1.0 / 3);
  EXPECT_EQ(a[0][3][0].item<double>(), 0.0);
  EXPECT_TRUE(torch::allclose(a[0].sum(0), torch::ones({17}, torch::kDouble)));

  // ntu-rgb+d, 0-based: joint 0 (base of the spine) links to 1 and 12 and 16; joint 20 is
  // the centre.
  SkeletonGraph ntu = graph_of("ntu-rgb+d", "spatial");
  EXPECT_EQ(ntu.center(), 20);
  const auto& hop = ntu.hop_dis();
  EXPECT_EQ(hop[0 * 25 + 1], 1);
  EXPECT_EQ(hop[0 * 25 + 0], 0);
  EXPECT_TRUE(std::isinf(hop[0 * 25 + 20]));
  // spatial with max_hop 1: root (hop 0), close + root (hop 1), further (hop 1).
  EXPECT_EQ(ntu.A().size(0), 3);
  // The three matrices split the uniform adjacency.
  EXPECT_TRUE(torch::equal(ntu.A().sum(0), graph_of("ntu-rgb+d", "uniform").A()[0]));

  // agcn: the identity, then inward and outward links normalised by columns.
  SkeletonGraph agcn = graph_of("ntu-rgb+d", "agcn");
  ASSERT_EQ(agcn.A().size(0), 3);
  EXPECT_TRUE(torch::equal(agcn.A()[0], torch::eye(25, torch::kDouble)));
  for (int i = 1; i < 3; ++i) {  // every column sums to 1 (a joint with links) or 0
    torch::Tensor sums = agcn.A()[i].sum(0);
    EXPECT_TRUE(torch::all(((sums - 1).abs() < 1e-12) | (sums == 0)).item<bool>());
  }
  EXPECT_FALSE(torch::equal(agcn.A()[1], agcn.A()[2]));
  // distance with max_hop 2 and dilation 2: hops 0 and 2 only.
  EXPECT_EQ(graph_of("coco", "distance", 2, 2).A().size(0), 2);
}

TEST(SkeletonGraph, ErrorsNameTheArgument) {
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string m = message([] { graph_of("openpose", "spatial"); });
  EXPECT_NE(m.find("layout 'openpose'"), std::string::npos) << m;
  EXPECT_NE(m.find("'openpose-18'"), std::string::npos) << m;
  m = message([] { graph_of("coco", "partition"); });
  EXPECT_NE(m.find("strategy 'partition'"), std::string::npos) << m;
  m = message([] { graph_of("coco", "agcn"); });
  EXPECT_NE(m.find("strategy 'agcn'"), std::string::npos) << m;
  m = message([] { graph_of("coco", "uniform", 1, 0); });
  EXPECT_NE(m.find("dilation"), std::string::npos) << m;
  m = message([] { graph_of("coco", "uniform", -1, 1); });
  EXPECT_NE(m.find("max_hop"), std::string::npos) << m;

  // From a config, the error names the key and its place.
  try {
    build_model(load_config_text("model = dict(type='STGCN', in_channels=3, "
                                 "graph_cfg=dict(layout='kinect', strategy='spatial'))\n",
                                 "/tmp/stgcn.py")
                    .at("model"));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("layout"), std::string::npos) << what;
    EXPECT_NE(what.find("kinect"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace tubelet::skeleton_graph_test
