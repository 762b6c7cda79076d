// `tubelet test`: MMAction2's tools/test.py on one process: the test set in test mode, the
// checkpoint's weights, single_gpu_test, optional --out dump and --eval metrics.
// Needs TUBELET_WITH_MEDIA: it runs a dataset and its pipeline.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet {

struct TestOptions {
  std::string config;
  std::string checkpoint;
  std::vector<std::string> eval;  // metric names (replace eval_config's metrics)
  // --eval-options: dataset.evaluate's keyword arguments (metrics, metric_options, topk),
  // merged into the config's eval_config. Evaluation happens when that is not empty.
  Dict eval_options;
  std::optional<std::string> out;            // results file (.json, .pkl, .pickle)
  std::optional<std::string> average_clips;  // overrides test_cfg.average_clips
  std::vector<std::string> cfg_options;
  bool show_progress = true;
  // Also the accuracy of each class ("class 3": fraction of its videos whose top score is
  // right), which MMAction2's tools do not print; single-label datasets only.
  bool per_class_accuracy = false;
  // MMAction2's --launcher: "none", or "pytorch"/"slurm"/"mpi" to test on several processes (each
  // tests its share of the set, rank 0 gathers the results, dumps and evaluates them).
  std::string launcher = "none";
  // "cpu", "cuda" or "cuda:N"; unset: the config's `device`, else "cpu" (apis/run_device.h).
  std::optional<std::string> device;
};

// The metrics as dataset.evaluate returns them (empty when no --eval, and on every rank but
// 0 of a distributed test).
Dict test(const TestOptions& options);

}  // namespace tubelet
