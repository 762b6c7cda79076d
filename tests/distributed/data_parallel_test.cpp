#include "tubelet/distributed/data_parallel.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "distributed/gloo_ranks.h"

namespace tubelet::data_parallel_test {
namespace {

struct TwoLayers : torch::nn::Module {
  TwoLayers() {
    a = register_module("a", torch::nn::Linear(4, 8));
    b = register_module("b", torch::nn::Linear(8, 3));
    spare = register_module("spare", torch::nn::Linear(3, 3));
  }
  torch::Tensor forward(const torch::Tensor& x, bool use_spare) {
    auto y = b(torch::relu(a(x)));
    return use_spare ? spare(y) : y;
  }
  torch::nn::Linear a{nullptr}, b{nullptr}, spare{nullptr};
};

torch::Tensor inputs(int64_t first, int64_t n) {
  return torch::arange(first * 4, (first + n) * 4, torch::kFloat).reshape({n, 4}).sin();
}

// The gradients one model gets from the whole batch [0, 4).
std::vector<torch::Tensor> whole_batch_grads() {
  torch::manual_seed(0);
  auto net = std::make_shared<TwoLayers>();
  net->forward(inputs(0, 4), true).pow(2).mean().backward();
  std::vector<torch::Tensor> grads;
  for (const auto& p : net->parameters()) grads.push_back(p.grad().clone());
  return grads;
}

// Two ranks with half the batch each (and different initial weights, which DDP replaces
// with rank 0's) end up with the whole batch's gradients.
void expect_whole_batch_grads(dist::DataParallelOptions options) {
  const auto expected = whole_batch_grads();
  std::vector<std::vector<torch::Tensor>> grads(2);
  std::vector<int64_t> buckets(2);
  // Made here: torch's generator is shared by the rank threads.
  std::vector<std::shared_ptr<TwoLayers>> nets;
  for (int seed : {0, 99}) {
    torch::manual_seed(seed);
    nets.push_back(std::make_shared<TwoLayers>());
  }
  test::run_ranks(2, [&](int rank, dist::ProcessGroupPtr group) {
    auto net = nets[rank];
    dist::DistributedDataParallel ddp(net, group, options);
    for (int step = 0; step < 3; ++step) {  // later passes must not add to the first
      for (auto& p : net->parameters()) p.mutable_grad() = torch::Tensor();
      net->forward(inputs(rank * 2, 2), true).pow(2).mean().backward();
    }
    EXPECT_EQ(ddp.reductions(), 3);
    buckets[rank] = ddp.num_buckets();
    for (const auto& p : net->parameters()) grads[rank].push_back(p.grad().clone());
  });
  for (int rank = 0; rank < 2; ++rank) {
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_TRUE(torch::allclose(grads[rank][i], expected[i], 1e-5, 1e-6))
          << "rank " << rank << " parameter " << i << "\n"
          << grads[rank][i] << "\n"
          << expected[i];
    }
  }
  if (options.bucket_cap_mb < 1e-3) {
    EXPECT_EQ(buckets[0], 6);  // one per parameter
  }
}

TEST(DistDataParallel, GradientsAreTheWholeBatchsOverlapped) {
  expect_whole_batch_grads({});
}

TEST(DistDataParallel, GradientsAreTheWholeBatchsWithSmallBuckets) {
  dist::DataParallelOptions o;
  o.bucket_cap_mb = 1e-6;
  expect_whole_batch_grads(o);
}

TEST(DistDataParallel, GradientsAreTheWholeBatchsAfterBackward) {
  dist::DataParallelOptions o;
  o.overlap = false;
  o.bucket_cap_mb = 1e-6;
  expect_whole_batch_grads(o);
}

// DDP without find_unused_parameters: a parameter without a gradient is an error that
// names it and says what to do.
TEST(DistDataParallel, UnusedParametersAreAnErrorByDefault) {
  std::vector<std::string> messages(2);
  test::run_ranks(2, [&](int rank, dist::ProcessGroupPtr group) {
    auto net = std::make_shared<TwoLayers>();
    dist::DistributedDataParallel ddp(net, group);
    try {
      net->forward(inputs(rank, 1), false).sum().backward();
    } catch (const std::exception& e) {
      messages[static_cast<size_t>(rank)] = e.what();
    }
  });
  for (const auto& m : messages) {
    EXPECT_NE(m.find("spare.weight, spare.bias"), std::string::npos) << m;
    EXPECT_NE(m.find("find_unused_parameters = True"), std::string::npos) << m;
  }
}

dist::DataParallelOptions finding_unused() {
  dist::DataParallelOptions o;
  o.bucket_cap_mb = 1e-6;
  o.find_unused_parameters = true;
  return o;
}

// A layer one rank does not use takes part with zeros: the other rank's gradient, halved.
TEST(DistDataParallel, LocallyUnusedParametersJoinWithZeros) {
  std::vector<torch::Tensor> spare(2);
  std::vector<std::shared_ptr<TwoLayers>> nets;
  for (int i = 0; i < 3; ++i) {
    torch::manual_seed(0);
    nets.push_back(std::make_shared<TwoLayers>());
  }
  nets[2]->forward(inputs(0, 2), true).pow(2).mean().backward();
  const torch::Tensor alone = nets[2]->spare->weight.grad().clone();
  test::run_ranks(2, [&](int rank, dist::ProcessGroupPtr group) {
    auto net = nets[rank];
    dist::DistributedDataParallel ddp(net, group, finding_unused());
    net->forward(inputs(0, 2), rank == 0).pow(2).mean().backward();
    spare[rank] = net->spare->weight.grad().clone();
  });
  EXPECT_TRUE(torch::allclose(spare[0], alone / 2));
  EXPECT_TRUE(torch::allclose(spare[1], alone / 2));
}

// A layer no rank uses keeps its .grad as it was (undefined, or last zero_grad's zeros), as
// in one process, so an optimizer skips it or sees zeros just as it would there.
TEST(DistDataParallel, GloballyUnusedParametersKeepTheirGradients) {
  test::run_ranks(2, [&](int rank, dist::ProcessGroupPtr group) {
    auto net = std::make_shared<TwoLayers>();
    dist::DistributedDataParallel ddp(net, group, finding_unused());
    net->spare->bias.mutable_grad() = torch::full({3}, 7.0);
    net->forward(inputs(rank, 1), false).sum().backward();
    EXPECT_FALSE(net->spare->weight.grad().defined());
    EXPECT_TRUE(torch::equal(net->spare->bias.grad(), torch::full({3}, 7.0)));
    EXPECT_TRUE(net->b->weight.grad().defined());
    EXPECT_EQ(ddp.reductions(), 1);
  });
}

// Registered last-used-first: the first buckets guess wrong, the rebuilt ones follow the
// order the gradients arrived in (last layer first), and the gradients stay right.
struct LateFirst : torch::nn::Module {
  LateFirst() {
    late = register_module("late", torch::nn::Linear(8, 3));
    early = register_module("early", torch::nn::Linear(4, 8));
  }
  torch::Tensor forward(const torch::Tensor& x) { return late(torch::relu(early(x))); }
  torch::nn::Linear late{nullptr}, early{nullptr};
};

TEST(DistDataParallel, BucketsFollowTheArrivalOrderAfterTheFirstPass) {
  torch::manual_seed(0);
  auto reference = std::make_shared<LateFirst>();
  reference->forward(inputs(0, 4)).pow(2).mean().backward();
  std::vector<std::vector<std::vector<std::string>>> before(2), after(2);
  std::vector<std::shared_ptr<LateFirst>> nets{reference, std::make_shared<LateFirst>()};
  std::vector<std::vector<torch::Tensor>> expected;
  for (const auto& p : reference->parameters()) expected.push_back({p.grad().clone()});
  test::run_ranks(2, [&](int rank, dist::ProcessGroupPtr group) {
    auto net = nets[rank];
    dist::DataParallelOptions o;
    o.bucket_cap_mb = 1e-6;
    dist::DistributedDataParallel ddp(net, group, o);
    before[rank] = ddp.bucket_parameter_names();
    for (int step = 0; step < 3; ++step) {
      for (auto& p : net->parameters()) p.mutable_grad() = torch::Tensor();
      net->forward(inputs(rank * 2, 2)).pow(2).mean().backward();
      if (step == 0) after[rank] = ddp.bucket_parameter_names();
    }
    auto params = net->parameters();
    for (size_t i = 0; i < params.size(); ++i)
      EXPECT_TRUE(torch::allclose(params[i].grad(), expected[i][0], 1e-5, 1e-6)) << i;
  });
  for (int rank = 0; rank < 2; ++rank) {
    ASSERT_EQ(before[rank].size(), 4u);
    EXPECT_EQ(before[rank][0][0].rfind("early.", 0), 0u);
    ASSERT_EQ(after[rank].size(), 4u);
    EXPECT_EQ(after[rank][0][0].rfind("late.", 0), 0u);
    EXPECT_EQ(after[rank][1][0].rfind("late.", 0), 0u);
    EXPECT_EQ(after[rank][3][0].rfind("early.", 0), 0u);
  }
}

TEST(DistDataParallel, FrozenParametersAreLeftAlone) {
  test::run_ranks(2, [&](int rank, dist::ProcessGroupPtr group) {
    auto net = std::make_shared<TwoLayers>();
    net->a->weight.set_requires_grad(false);
    dist::DistributedDataParallel ddp(net, group);
    net->forward(inputs(rank, 1), true).sum().backward();
    EXPECT_FALSE(net->a->weight.grad().defined());
    EXPECT_TRUE(net->a->bias.grad().defined());
  });
}

}  // namespace
}  // namespace tubelet::data_parallel_test
