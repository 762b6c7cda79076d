#include "tubelet/distributed/sync_batch_norm.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "distributed/gloo_ranks.h"

namespace tubelet::sync_batch_norm_test {
namespace {

// Two ranks with half a batch each against torch::batch_norm on the whole batch, with
// loss = sum(y * g): the same outputs, input gradients and running statistics, and weight
// and bias gradients that add up to the whole batch's.
TEST(DistSyncBatchNorm, TwoHalvesAreTheWholeBatch) {
  torch::manual_seed(3);
  auto x = torch::randn({4, 3, 5, 2}) * 2 + 1;
  auto g = torch::randn({4, 3, 5, 2});
  auto w0 = torch::rand({3}) + 0.5, b0 = torch::randn({3});

  auto x_whole = x.clone().requires_grad_(true);
  auto w_whole = w0.clone().requires_grad_(true), b_whole = b0.clone().requires_grad_(true);
  auto rm_whole = torch::zeros({3}), rv_whole = torch::ones({3});
  auto y_whole =
      torch::batch_norm(x_whole, w_whole, b_whole, rm_whole, rv_whole, true, 0.1, 1e-5, false);
  (y_whole * g).sum().backward();

  std::vector<torch::Tensor> y(2), gx(2), gw(2), gb(2), rm(2), rv(2);
  test::run_ranks(2, [&](int rank, dist::ProcessGroupPtr group) {
    auto xr = x.narrow(0, rank * 2, 2).clone().requires_grad_(true);
    auto w = w0.clone().requires_grad_(true), b = b0.clone().requires_grad_(true);
    rm[rank] = torch::zeros({3});
    rv[rank] = torch::ones({3});
    y[rank] = dist::sync_batch_norm(xr, w, b, rm[rank], rv[rank], 0.1, 1e-5, *group);
    (y[rank] * g.narrow(0, rank * 2, 2)).sum().backward();
    gx[rank] = xr.grad();
    gw[rank] = w.grad();
    gb[rank] = b.grad();
  });
  EXPECT_TRUE(torch::allclose(torch::cat({y[0], y[1]}), y_whole, 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(torch::cat({gx[0], gx[1]}), x_whole.grad(), 1e-4, 1e-5))
      << torch::cat({gx[0], gx[1]}) - x_whole.grad();
  EXPECT_TRUE(torch::allclose(gw[0] + gw[1], w_whole.grad(), 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(gb[0] + gb[1], b_whole.grad(), 1e-4, 1e-5));
  for (int r = 0; r < 2; ++r) {
    EXPECT_TRUE(torch::allclose(rm[r], rm_whole, 1e-5, 1e-6));
    EXPECT_TRUE(torch::allclose(rv[r], rv_whole, 1e-5, 1e-6));
  }
}

TEST(DistSyncBatchNorm, NoAffineAndOneValuePerChannel) {
  test::run_ranks(2, [&](int, dist::ProcessGroupPtr group) {
    auto x = torch::randn({2, 4});
    auto y = dist::sync_batch_norm(x, {}, {}, {}, {}, 0.1, 1e-5, *group);
    EXPECT_EQ(y.sizes(), x.sizes());
    EXPECT_THROW(dist::sync_batch_norm(torch::randn({4}), {}, {}, {}, {}, 0.1, 1e-5, *group),
                 std::invalid_argument);
  });
}

}  // namespace
}  // namespace tubelet::sync_batch_norm_test
