// MMAction2's `tools/train.py --test-last/--test-best` (train_model's `test` step): after
// training, data.test is tested in test mode with the final weights ("last") and/or the best
// checkpoint the EvalHook kept in the work dir ("best"), each rank its share. Rank 0 writes
// <work_dir>/<name>_pred.json (MMAction2 writes a .pkl; the rows are `tubelet test --out`'s
// JSON, a localizer's records go through the dataset's json dump), evaluates it with the
// config's `evaluation` metrics and logs "Testing results of the <name> checkpoint" and each
// "<metric>: <value>".
// Needs TUBELET_WITH_MEDIA: it runs a dataset and its pipeline.
#pragma once

#include <torch/types.h>

#include "tubelet/apis/run_config.h"
#include "tubelet/config/value.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

struct AfterTrainingTests {
  bool last = false;
  bool best = false;
};

// `data` is the config's data block; the metrics come from run.evaluation.
void test_after_training(Runner& runner, const Dict& data, const RunConfig& run,
                         AfterTrainingTests which, const torch::Device& device);

}  // namespace tubelet
