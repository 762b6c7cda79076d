// mmcv's multi_gpu_test, which MMAction2's DistEvalHook, tools/test.py and train_model's
// after-training tests use: every rank runs single_gpu_test on its share of the set (a
// DistributedSampler without shuffling) and the results are gathered in dataset order, the
// sampler's padding dropped. Without a process group (or in a world of one) it is
// single_gpu_test. Recognizers give score rows, localizers records (proposal lists).
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/data/data_loader.h"
#include "tubelet/data/dataset.h"
#include "tubelet/engine/single_gpu_test.h"
#include "tubelet/models/trainable.h"

namespace tubelet {

struct TestResults {
  bool is_records = false;  // records (a localizer), else rows
  torch::Tensor rows;       // [N, C]: one score row per sample
  List records;
};

// The results of all `dataset_size` samples, on every rank.
TestResults multi_gpu_test(Trainable& model, torch::nn::Module& module, DataLoader& loader,
                           int64_t dataset_size, const SingleGpuTestOptions& options = {});

// dataset.evaluate (or evaluate_records) of the results.
Dict evaluate_results(const Dataset& dataset, const TestResults& results,
                      const std::vector<std::string>& metrics, const Dict& metric_options);

// Score rows as `tubelet test --out` writes them (tubelet/checkpoint/results_file.h): .json a list
// of lists, .pkl/.pickle a pickled list of numpy arrays as MMAction2's tools/test.py writes.
void dump_score_rows(const torch::Tensor& rows, const std::filesystem::path& path);

}  // namespace tubelet
