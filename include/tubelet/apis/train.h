// `tubelet train`: MMAction2's tools/train.py and apis/train_model in one; with a launcher,
// one process of a data-parallel run (rank 0 writes the work dir).
// It reads the config, prepares the work dir (config dump, <timestamp>.log and .log.json),
// seeds, builds the model, datasets, loaders, optimizer, runner and hooks, resumes or loads
// weights, and runs the workflow.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/data/dataset.h"

namespace tubelet {

struct TrainOptions {
  std::string config;
  std::optional<std::string> work_dir;
  std::optional<std::string> resume_from;
  bool auto_resume = false;
  bool validate = false;
  std::optional<int64_t> seed;
  bool deterministic = false;
  std::vector<std::string> cfg_options;
  // MMAction2's --launcher: "none" (one process), "pytorch", "slurm" or "mpi" (one process
  // of a distributed run; see tubelet/distributed/dist_utils.h).
  std::string launcher = "none";
  // "cpu", "cuda" or "cuda:N"; unset: the config's `device`, else "cpu".
  std::optional<std::string> device;
  // MMAction2's --diff-seed: each rank seeds with seed + rank (its augmentations differ).
  bool diff_seed = false;
  // MMAction2's --test-last / --test-best: data.test after training with the final weights
  // and/or the best checkpoint (see tubelet/apis/test_after_training.h).
  bool test_last = false;
  bool test_best = false;
};

// Returns the work dir the run wrote to.
std::string train(const TrainOptions& options);

// MMAction2's set_random_seed: torch's generator (and the data loader's seed through
// cfg.seed); `deterministic` also asks LibTorch for deterministic algorithms.
void set_random_seed(uint64_t seed, bool deterministic);

// The config's `data` block; a ConfigError when there is none.
const Dict& data_block(const Dict& cfg);
// data.<phase> ("train", "val", "test") from DATASETS; test_mode=True as a default argument
// for evaluation sets, as MMAction2's build_dataset(cfg, dict(test_mode=True)).
std::shared_ptr<Dataset> build_dataset(const Dict& data, const char* phase, bool test_mode);

}  // namespace tubelet
