#include "tubelet/distributed/data_parallel.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "distributed/gloo_ranks.h"

namespace tubelet {
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
    for (int step = 0; step < 2; ++step) {  // the second pass must not add to the first
      for (auto& p : net->parameters()) p.mutable_grad() = torch::Tensor();
      net->forward(inputs(rank * 2, 2), true).pow(2).mean().backward();
    }
    EXPECT_EQ(ddp.reductions(), 2);
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

// A layer one rank does not use takes part with zeros: the other rank's gradient, halved.
TEST(DistDataParallel, UnusedParametersJoinWithZeros) {
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
    dist::DataParallelOptions o;
    o.bucket_cap_mb = 1e-6;
    dist::DistributedDataParallel ddp(net, group, o);
    net->forward(inputs(0, 2), rank == 0).pow(2).mean().backward();
    spare[rank] = net->spare->weight.grad().clone();
  });
  EXPECT_TRUE(torch::allclose(spare[0], alone / 2));
  EXPECT_TRUE(torch::allclose(spare[1], alone / 2));
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
}  // namespace tubelet
