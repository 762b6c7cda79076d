// The run-level keys of a config, as MMAction2's tools/train.py, tools/test.py and
// apis/train_model read them from `cfg`: read here and nowhere else, so each key has one
// default and one error message. `model`, `data` and `optimizer` are module configs and stay
// Values for their builders. core/top_level_keys.cpp lists these keys for the misspelt-key
// warning.
#pragma once

#include <optional>
#include <string>

#include "tubelet/config/value.h"
#include "tubelet/distributed/data_parallel.h"
#include "tubelet/distributed/dist_utils.h"
#include "tubelet/engine/training_setup.h"

namespace tubelet {

struct RunConfig {
  // Where a run computes (train and test).
  std::optional<std::string> device;  // `device`: 'cpu', 'cuda' or 'cuda:N'; none is the CPU
  std::optional<int> first_gpu_id;    // `gpu_ids`: MMAction2's tools put --gpu-ids there
  dist::DistParams dist_params;       // `dist_params`
  bool cudnn_benchmark = false;       // `cudnn_benchmark`
  bool channels_last = false;         // `channels_last` (Tubelet's)

  // What a training run does.
  Value runner;  // `runner`, or `total_epochs` as an EpochBasedRunner; None when neither
  Workflow workflow{{"train", 1}};   // `workflow`
  TrainingHookConfigs hooks;         // lr_config, optimizer_config, ..., custom_hooks
  Value fp16;                        // `fp16`: None or a dict
  Value precise_bn;                  // `precise_bn`: None/False, or PreciseBNHook's arguments
  Value evaluation = Value(Dict{});  // `evaluation`: a dict of EvalHook's arguments
  dist::DataParallelOptions ddp;     // `ddp` (Tubelet's) and `find_unused_parameters`

  // Where it writes and where it starts from.
  std::optional<std::string> work_dir;  // `work_dir`, when a string
  ResumeConfig start;                   // resume_from, auto_resume, load_from
};

// Reads every key above; errors name the key (and its file and line). A key only one
// command uses is still checked by both, as MMAction2's tools load one config for both.
RunConfig read_run_config(const Dict& cfg);

// The RUNNERS config of a training run: a ConfigError naming both keys when the config has
// neither `runner` nor `total_epochs`.
const Value& runner_config(const RunConfig& run);

}  // namespace tubelet
