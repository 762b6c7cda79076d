#include "tubelet/distributed/collectives.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <mutex>

#include "distributed/gloo_ranks.h"

namespace tubelet::collectives_test {
namespace {

TEST(DistCollectives, BroadcastModuleStatesCopiesRankZerosParametersAndBuffers) {
  std::mutex mutex;
  std::vector<torch::Tensor> weights(2), means(2), counts(2);
  test::run_ranks(2, [&](int rank, dist::ProcessGroupPtr group) {
    torch::nn::Sequential net(torch::nn::Linear(3, 2), torch::nn::BatchNorm1d(2));
    torch::NoGradGuard no_grad;
    for (auto& p : net->parameters()) p.fill_(rank + 1.0);
    for (auto& b : net->buffers()) b.fill_(rank + 5);  // running stats and the int64 count
    dist::broadcast_module_states(*net, *group);
    std::lock_guard<std::mutex> lock(mutex);
    weights[rank] = net->parameters()[0].clone();
    means[rank] = net->named_buffers()["1.running_mean"].clone();
    counts[rank] = net->named_buffers()["1.num_batches_tracked"].clone();
  });
  EXPECT_TRUE(torch::equal(weights[1], torch::ones({2, 3})));
  EXPECT_TRUE(torch::equal(means[1], torch::full({2}, 5.0f)));
  EXPECT_EQ(counts[1].item<int64_t>(), 5);
}

TEST(DistCollectives, BnBuffersOnlyTakeRunningStatistics) {
  std::vector<float> weight(2), mean(2);
  test::run_ranks(2, [&](int rank, dist::ProcessGroupPtr group) {
    torch::nn::BatchNorm1d bn(2);
    torch::NoGradGuard no_grad;
    bn->weight.fill_(rank + 1.0);
    bn->running_mean.fill_(rank + 3.0);
    dist::broadcast_bn_buffers(*bn, *group);
    weight[rank] = bn->weight[0].item<float>();
    mean[rank] = bn->running_mean[0].item<float>();
  });
  EXPECT_EQ(weight[1], 2.0f);  // parameters are DDP's business, not DistEvalHook's
  EXPECT_EQ(mean[1], 3.0f);
}

TEST(DistCollectives, LogVarsAreAveragedOverRanks) {
  std::vector<std::vector<std::pair<std::string, double>>> out(3);
  test::run_ranks(3, [&](int rank, dist::ProcessGroupPtr group) {
    std::vector<std::pair<std::string, double>> vars{{"top1_acc", rank * 0.5},
                                                     {"loss", rank + 1.0}};
    dist::average_log_vars(vars, *group);
    out[rank] = vars;
  });
  for (const auto& vars : out) {
    EXPECT_EQ(vars[0].first, "top1_acc");
    EXPECT_DOUBLE_EQ(vars[0].second, 0.5);
    EXPECT_DOUBLE_EQ(vars[1].second, 2.0);
  }
}

// 5 results on 2 ranks: rank 0 tested 0, 2, 4 and rank 1 tested 1, 3 and 0 again (the
// sampler's padding), as MMAction2's collect_results receives them.
TEST(DistCollectives, CollectResultsRestoresDatasetOrderAndDropsPadding) {
  std::vector<torch::Tensor> out(2);
  test::run_ranks(2, [&](int rank, dist::ProcessGroupPtr group) {
    std::vector<int64_t> mine =
        rank == 0 ? std::vector<int64_t>{0, 2, 4} : std::vector<int64_t>{1, 3, 0};
    auto rows = torch::tensor(mine, torch::kFloat).unsqueeze(1).repeat({1, 2});
    out[rank] = dist::collect_results(rows, 5, *group);
  });
  auto expected = torch::arange(5, torch::kFloat).unsqueeze(1).repeat({1, 2});
  EXPECT_TRUE(torch::equal(out[0], expected)) << out[0];
  EXPECT_TRUE(torch::equal(out[1], expected));
}

TEST(DistCollectives, CollectResultsWithUnevenPartsAndAnEmptyRank) {
  std::vector<torch::Tensor> out(3);
  test::run_ranks(3, [&](int rank, dist::ProcessGroupPtr group) {
    auto rows = rank == 2 ? torch::zeros({0, 4}) : torch::full({1, 4}, static_cast<float>(rank));
    out[rank] = dist::collect_results(rows, 2, *group);
  });
  EXPECT_TRUE(torch::equal(out[2], torch::tensor({0.f, 1.f}).unsqueeze(1).repeat({1, 4})));
}

TEST(DistCollectives, CollectRecordsKeepsTypesAndOrder) {
  std::vector<List> out(2);
  test::run_ranks(2, [&](int rank, dist::ProcessGroupPtr group) {
    List records;
    for (int i = rank; i < 3; i += 2) {
      Dict r;
      r.set("video_name", Value("v" + std::to_string(i)));
      r.set("segment", Value::tuple({Value(0.5 * i), Value(std::nan(""))}));
      records.push_back(Value(r));
    }
    if (rank == 1) records.push_back(records.front());  // padding
    out[rank] = dist::collect_records(records, 3, *group);
  });
  ASSERT_EQ(out[1].size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const Dict& r = out[1][i].as_dict();
    EXPECT_EQ(r.at("video_name").as_str(), "v" + std::to_string(i));
    ASSERT_TRUE(r.at("segment").is_tuple());
    EXPECT_DOUBLE_EQ(r.at("segment").as_list()[0].as_float(), 0.5 * i);
    EXPECT_TRUE(std::isnan(r.at("segment").as_list()[1].as_float()));
  }
}

TEST(DistCollectives, SeedComesFromRankZero) {
  std::vector<uint64_t> seeds(2);
  test::run_ranks(2, [&](int rank, dist::ProcessGroupPtr group) {
    seeds[rank] = dist::broadcast_seed(rank == 0 ? 123456789u : 7u, *group);
  });
  EXPECT_EQ(seeds[0], 123456789u);
  EXPECT_EQ(seeds[1], 123456789u);
}

TEST(DistCollectives, ARankThatNeverComesIsATimeoutError) {
  const int port = test::free_loopback_port();
  try {
    dist::new_gloo_group("127.0.0.1", port, 0, 2, std::chrono::milliseconds(300));
    FAIL() << "a group of 2 formed with one rank";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("could not meet the others"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tubelet::collectives_test
