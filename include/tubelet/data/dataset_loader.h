// MMAction2's build_dataloader: batches of `videos_per_gpu` samples made by
// `workers_per_gpu` threads ahead of the training loop, in a bounded window, so memory stays
// bounded however long the run. Order and augmentation are fixed by (seed, epoch):
// MMAction2's DistributedSampler (shuffle from seed + epoch, padded to a multiple of the
// world size, every world_size-th index for this rank), and each sample's random transforms
// draw from a generator seeded with (seed, epoch, index), whichever thread makes it.
#pragma once

#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tubelet/data/data_loader.h"
#include "tubelet/data/dataset.h"

namespace tubelet {

struct DataLoaderOptions {
  int64_t videos_per_gpu = 1;
  int64_t workers_per_gpu = 1;  // 0: samples are made in next(), on the caller's thread
  bool shuffle = true;
  uint64_t seed = 0;
  bool drop_last = false;
  int rank = 0;
  int world_size = 1;
  int64_t prefetch_per_worker = 2;  // batches in flight per worker
  // A sample that fails is dropped from its batch with a warning instead of ending the run.
  bool skip_failed = false;
};

// The indices one rank visits in an epoch (MMAction2's DistributedSampler; with
// world_size 1 it is also the shuffled order of a single process).
std::vector<int64_t> sampler_indices(int64_t dataset_size, const DataLoaderOptions& options,
                                     int64_t epoch);

// Stacks each tensor of the samples along a new first dimension ("imgs" [B, ...], "label"
// [B, ...]) and keeps each sample's meta dict (info["img_metas"] when Collect made one).
// Every sample must have the same tensors with the same shapes.
Batch collate(std::vector<Sample>& samples);

class DatasetLoader : public DataLoader {
 public:
  DatasetLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options);
  ~DatasetLoader() override;

  int64_t size() const override;
  int64_t num_samples() const override;
  void set_epoch(int64_t epoch) override { epoch_ = epoch; }
  void start() override;
  std::optional<Batch> next() override;
  const Dataset& dataset() const { return *dataset_; }

 private:
  struct Slot {
    std::optional<Batch> batch;
    std::exception_ptr error;
  };
  Slot make_batch(int64_t b) const;
  void worker();
  void stop_workers();

  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  int64_t epoch_ = 0;

  std::vector<std::vector<int64_t>> batches_;  // sample indices of each batch this epoch
  int64_t produced_ = 0;                       // next batch a worker takes
  int64_t consumed_ = 0;                       // next batch next() returns
  std::map<int64_t, Slot> ready_;
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::thread> workers_;
};

// The data block of a config as MMAction2's train_model reads it: videos_per_gpu,
// workers_per_gpu from `data`, overridden by data.<phase>_dataloader ("train", "val",
// "test"); unknown keys are an error. `skip_failed=True` there (a Tubelet key) drops failing
// samples with a warning instead of stopping.
DataLoaderOptions dataloader_options(const Dict& data_cfg, const std::string& phase);

}  // namespace tubelet
