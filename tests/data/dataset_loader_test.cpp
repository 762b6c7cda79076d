// The data loader: MMAction2's DistributedSampler order (shuffle from seed + epoch, as
// torch.randperm gives it), batches in order whatever the number of worker threads, a
// bounded number of batches in flight, and failing samples named.
#include <gtest/gtest.h>

#include <atomic>

#include "support/paths.h"
#include "tubelet/data/dataset_loader.h"

namespace tubelet::dataset_loader_test {
namespace {

// Sample i: imgs = [i, r] where r is the sample's first random draw; label = [i].
class CountingDataset : public Dataset {
 public:
  explicit CountingDataset(int64_t n, int64_t failing = -1) : n_(n), failing_(failing) {}
  int64_t size() const override { return n_; }
  const Dict& info(int64_t) const override { return info_; }
  Sample get(int64_t index, uint64_t seed) const override {
    ++calls;
    int now = ++in_flight;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    Sample s;
    s.rng.seed(seed);
    double r = uniform01(s);
    --in_flight;
    if (index == failing_)
      throw std::runtime_error("cannot decode video_" + std::to_string(index) + ".mp4");
    s.set_tensor("imgs", torch::tensor({static_cast<double>(index), r}));
    s.set_tensor("label", torch::tensor({index}));
    return s;
  }
  mutable std::atomic<int> in_flight{0}, max_in_flight{0}, calls{0};

 private:
  int64_t n_, failing_;
  Dict info_;
};

std::vector<int64_t> labels_of(DataLoader& loader) {
  std::vector<int64_t> out;
  loader.start();
  while (auto batch = loader.next()) {
    auto label = batch->at("label");
    for (int64_t i = 0; i < label.size(0); ++i) out.push_back(label[i][0].item<int64_t>());
  }
  return out;
}

TEST(DatasetLoader, ShuffleFollowsTorchRandpermOfSeedPlusEpoch) {
  DataLoaderOptions o;
  o.seed = 1;
  // torch.randperm(10, generator=torch.Generator().manual_seed(3)) in Python 1.13.
  EXPECT_EQ(sampler_indices(10, o, 2), (std::vector<int64_t>{6, 0, 3, 7, 8, 5, 1, 9, 2, 4}));
  o.shuffle = false;
  o.world_size = 3;
  o.rank = 1;
  // 10 indices padded to 12 with the first two, then every third from rank 1.
  EXPECT_EQ(sampler_indices(10, o, 0), (std::vector<int64_t>{1, 4, 7, 0}));
}

TEST(DatasetLoader, WorkersGiveTheSameBatchesInOrder) {
  auto dataset = std::make_shared<CountingDataset>(23);
  DataLoaderOptions o;
  o.videos_per_gpu = 4;
  o.seed = 5;
  o.workers_per_gpu = 0;
  DatasetLoader serial(dataset, o);
  o.workers_per_gpu = 3;
  DatasetLoader threaded(dataset, o);
  EXPECT_EQ(serial.size(), 6);
  for (int64_t epoch : {0, 1}) {
    serial.set_epoch(epoch);
    threaded.set_epoch(epoch);
    serial.start();
    threaded.start();
    while (auto a = serial.next()) {
      auto b = threaded.next();
      ASSERT_TRUE(b);
      EXPECT_TRUE(torch::equal(a->at("imgs"), b->at("imgs")));
    }
    EXPECT_FALSE(threaded.next());
  }
  serial.set_epoch(0);
  auto first = labels_of(serial);
  serial.set_epoch(1);
  EXPECT_NE(first, labels_of(serial));
  EXPECT_EQ(first.size(), 23u);
}

TEST(DatasetLoader, DropLastAndBatchShapes) {
  auto dataset = std::make_shared<CountingDataset>(10);
  DataLoaderOptions o;
  o.videos_per_gpu = 4;
  o.drop_last = true;
  o.shuffle = false;
  DatasetLoader loader(dataset, o);
  EXPECT_EQ(loader.size(), 2);
  loader.start();
  auto batch = loader.next();
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->at("imgs").sizes(), torch::IntArrayRef({4, 2}));
  EXPECT_EQ(batch->at("label").sizes(), torch::IntArrayRef({4, 1}));
  EXPECT_EQ(batch->metas.size(), 4u);
  EXPECT_EQ(labels_of(loader), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(DatasetLoader, PrefetchIsBounded) {
  auto dataset = std::make_shared<CountingDataset>(200);
  DataLoaderOptions o;
  o.videos_per_gpu = 1;
  o.workers_per_gpu = 2;
  o.prefetch_per_worker = 2;
  DatasetLoader loader(dataset, o);
  loader.start();
  ASSERT_TRUE(loader.next());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // One batch consumed, at most workers * prefetch_per_worker more made ahead.
  EXPECT_LE(dataset->calls.load(), 1 + 4);
  EXPECT_GE(dataset->calls.load(), 2);
  EXPECT_LE(dataset->max_in_flight.load(), 2);
  // Stopping half-way (a new start) joins the workers without a hang.
  loader.start();
  EXPECT_EQ(labels_of(loader).size(), 200u);
}

TEST(DatasetLoader, FailingSampleIsNamedOrSkipped) {
  auto dataset = std::make_shared<CountingDataset>(6, 4);
  DataLoaderOptions o;
  o.videos_per_gpu = 2;
  o.shuffle = false;
  o.workers_per_gpu = 2;
  DatasetLoader loader(dataset, o);
  std::string error = test::error_of([&] { labels_of(loader); });
  EXPECT_NE(error.find("sample 4: cannot decode video_4.mp4"), std::string::npos) << error;
  o.skip_failed = true;
  DatasetLoader skipping(dataset, o);
  EXPECT_EQ(labels_of(skipping), (std::vector<int64_t>{0, 1, 2, 3, 5}));
}

TEST(DatasetLoader, CollateRefusesMismatchedShapes) {
  std::vector<Sample> samples(2);
  samples[0].set_tensor("imgs", torch::zeros({3, 4}));
  samples[1].set_tensor("imgs", torch::zeros({3, 5}));
  std::string error = test::error_of([&] { collate(samples); });
  EXPECT_NE(error.find("'imgs' of sample 1 has shape [3, 5] but sample 0 has [3, 4]"),
            std::string::npos)
      << error;
  // With annotations, the error names the files (a feature CSV of the wrong length, say).
  samples[0].info.set("video_name", Value("v_a"));
  samples[1].info.set("video_name", Value("v_b"));
  error = test::error_of([&] { collate(samples); });
  EXPECT_NE(error.find("'imgs' of sample 1 (v_b) has shape [3, 5] but sample 0 (v_a) has [3, 4]"),
            std::string::npos)
      << error;
}

// torch's default_collate for plain numbers Collect kept: ints become an int64 [N] tensor,
// floats float64; a key that is not a number in every sample, or that is already a tensor,
// stays out.
TEST(DatasetLoader, CollateStacksPlainNumbersAsDefaultCollate) {
  std::vector<Sample> samples(3);
  for (int i = 0; i < 3; ++i) {
    samples[i].info.set("label", Value(int64_t{i + 4}));
    samples[i].info.set("weight", Value(0.5 * i));
    samples[i].info.set("mixed", i == 1 ? Value("x") : Value(int64_t{1}));
    samples[i].info.set("filename", Value("v.mp4"));
    samples[i].info.set("imgs", Value(int64_t{7}));
    samples[i].set_tensor("imgs", torch::zeros({2}));
  }
  Batch batch = collate(samples);
  EXPECT_TRUE(torch::equal(batch.at("label"), torch::tensor({4, 5, 6}, torch::kLong)));
  EXPECT_TRUE(torch::equal(batch.at("weight"), torch::tensor({0.0, 0.5, 1.0}, torch::kDouble)));
  EXPECT_FALSE(batch.has("mixed"));
  EXPECT_FALSE(batch.has("filename"));
  EXPECT_EQ(batch.at("imgs").sizes(), (std::vector<int64_t>{3, 2}));
}

}  // namespace
}  // namespace tubelet::dataset_loader_test
