// `tubelet eval-metric`: MMAction2's tools/analysis/eval_metric.py. Evaluates a results file that
// `tubelet test --out` or MMAction2's tools/test.py --out wrote (.pkl or .json) on the config's
// test set, without running the model.
// Needs TUBELET_WITH_MEDIA: it runs a dataset and its pipeline.
#pragma once

#include <string>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet {

struct EvalMetricOptions {
  std::string config;
  std::string results;            // .pkl / .pickle / .json
  std::vector<std::string> eval;  // the metrics (required, as eval_metric.py asserts)
  Dict eval_options;              // dataset.evaluate's further keyword arguments
  std::vector<std::string> cfg_options;
};

// The metrics as dataset.evaluate returns them. Its arguments are eval_metric.py's: the config's
// `evaluation` without EvalHook's own keys (interval, tmpdir, start, gpu_collect, save_best,
// rule, by_epoch), `metrics` from --eval, then --eval-options.
//
// The results: a list of score rows (a recognizer's) or of {video_name, proposal_list} records
// (a localizer's). Also read, which eval_metric.py does not: the {version, results,
// external_data} dict ActivityNetDataset dumps for output_format='json' (what `tubelet test
// --out r.pkl` writes for a localization config), its videos becoming records named "v_" + id.
Dict eval_metric(const EvalMetricOptions& options);

}  // namespace tubelet
