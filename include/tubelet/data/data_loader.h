// What the runner needs from a data loader: a known number of batches per epoch, delivered
// in order, with the epoch set before each pass so shuffling follows (seed, epoch).
#pragma once

#include <optional>

#include "tubelet/data/batch.h"

namespace tubelet {

class DataLoader {
 public:
  virtual ~DataLoader() = default;
  // Batches per pass: len(data_loader).
  virtual int64_t size() const = 0;
  // Samples this process visits per pass (len(sampler): its share of a distributed set);
  // -1 when the loader cannot tell.
  virtual int64_t num_samples() const { return -1; }
  // DistributedSampler.set_epoch: called before each pass.
  virtual void set_epoch(int64_t /*epoch*/) {}
  // Begins a pass; next() then returns its batches and std::nullopt at the end.
  virtual void start() = 0;
  virtual std::optional<Batch> next() = 0;
};

}  // namespace tubelet
