#include "tubelet/top_level_keys.h"

#include <algorithm>

#include "tubelet/did_you_mean.h"

namespace tubelet {

const std::vector<std::string>& run_level_keys() {
  static const std::vector<std::string> keys = {
      // MMAction2 0.24.1's configs and tools (train.py, test.py, apis/train.py); Tubelet
      // reads them in apis/run_config.cpp, the module configs in their builders.
      "model", "data", "optimizer", "optimizer_config", "lr_config", "momentum_config",
      "total_epochs", "runner", "workflow", "checkpoint_config", "log_config", "log_level",
      "evaluation", "eval_config", "output_config", "dist_params", "work_dir", "load_from",
      "resume_from", "auto_resume", "seed", "gpu_ids", "custom_hooks", "custom_imports",
      "precise_bn", "fp16", "cudnn_benchmark", "find_unused_parameters", "omnisource", "multigrid",
      "module_hooks", "opencv_num_threads", "mp_start_method", "train_cfg", "test_cfg",
      // Tubelet's own
      "ddp", "channels_last", "device"};
  return keys;
}

std::vector<std::string> misspelt_top_level_keys(const Dict& cfg) {
  const std::vector<std::string>& known = run_level_keys();
  std::vector<std::string> lines;
  for (const auto& [name, value] : cfg.items()) {
    if (!name.is_str()) continue;
    const std::string& key = name.as_str();
    if (key.empty() || key.front() == '_' || key.back() == '_') continue;
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const std::string suggestion = did_you_mean(key, known);
    if (suggestion.empty()) continue;
    const std::string at = value.location().str();
    lines.push_back((at.empty() ? "" : at + ": ") + "top-level key '" + key +
                    "' is not one a run reads" + suggestion);
  }
  return lines;
}

}  // namespace tubelet
