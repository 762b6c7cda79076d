// The run-level keys of a config (total_epochs, lr_config, ...), which mmcv leaves next to any
// number of helper variables (train_pipeline, data_root, ...). A helper variable is fine; a
// misspelt run-level key would silently run with the default, so it gets a warning.
#pragma once

#include <string>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet {

// The top-level keys that MMAction2's tools or Tubelet read from a config.
const std::vector<std::string>& run_level_keys();

// One line per top-level key that is not a run-level key but is within did-you-mean distance
// of one: "configs/x.py:12:1: top-level key 'lr_confg' is not one a run reads; did you mean
// 'lr_config'?". Names starting or ending in '_' (helpers, _base_) are left alone.
std::vector<std::string> misspelt_top_level_keys(const Dict& cfg);

}  // namespace tubelet
