// RepeatDataset and ConcatDataset: datasets built from other datasets' configs, their
// test_mode set from the wrapper's.
#pragma once

#include <memory>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/dataset.h"

namespace tubelet {

// `times` passes over one dataset: index i is the inner dataset's i % len.
class RepeatDataset : public Dataset {
 public:
  RepeatDataset(std::shared_ptr<Dataset> dataset, int64_t times);
  int64_t size() const override { return times_ * dataset_->size(); }
  Sample get(int64_t index, uint64_t seed) const override;
  const Dict& info(int64_t index) const override;
  const Dataset& dataset() const { return *dataset_; }

  static std::shared_ptr<Dataset> from_config(Args& args);

 private:
  int64_t inner(int64_t index) const;
  std::shared_ptr<Dataset> dataset_;
  int64_t times_;
};

// Datasets one after another.
class ConcatDataset : public Dataset {
 public:
  explicit ConcatDataset(std::vector<std::shared_ptr<Dataset>> datasets);
  int64_t size() const override { return total_; }
  Sample get(int64_t index, uint64_t seed) const override;
  const Dict& info(int64_t index) const override;
  const std::vector<std::shared_ptr<Dataset>>& datasets() const { return datasets_; }

  static std::shared_ptr<Dataset> from_config(Args& args);

 private:
  std::pair<const Dataset*, int64_t> locate(int64_t index) const;
  std::vector<std::shared_ptr<Dataset>> datasets_;
  int64_t total_ = 0;
};

}  // namespace tubelet
