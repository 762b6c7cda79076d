#include "tubelet/apis/run_config.h"

#include "tubelet/args.h"
#include "tubelet/config/error.h"
#include "tubelet/models/memory_format.h"

namespace tubelet {

namespace {

const Value* find_set(const Dict& cfg, const char* key) {
  const Value* v = cfg.find(key);
  return v && !v->is_none() ? v : nullptr;
}

void read_placement(const Dict& cfg, RunConfig& run) {
  if (const Value* device = find_set(cfg, "device")) {
    if (!device->is_str())
      throw ConfigError(std::string("device must be a string ('cpu', 'cuda' or 'cuda:N'), not ") +
                            device->type_name(),
                        device->location());
    run.device = device->as_str();
  }
  if (const Value* ids = find_set(cfg, "gpu_ids")) {
    // MMAction2's tools write range(1) for --gpus.
    if (ids->is_range() && ids->as_range().size() > 0)
      run.first_gpu_id = static_cast<int>(ids->as_range().start);
    else if (!ids->is_sequence() || ids->as_list().empty() || !ids->as_list().front().is_int())
      throw ConfigError("gpu_ids must be a non-empty list of GPU indices, e.g. [0]",
                        ids->location());
    else
      run.first_gpu_id = static_cast<int>(ids->as_list().front().as_int());
  }
  const Value* dist_params = cfg.find("dist_params");
  run.dist_params = dist::read_dist_params(dist_params ? *dist_params : Value(), "dist_params");
  if (const Value* bench = find_set(cfg, "cudnn_benchmark"))
    run.cudnn_benchmark = is_truthy(*bench);
  run.channels_last = channels_last_requested(cfg);
}

// Top-level `ddp = dict(bucket_cap_mb=25, overlap=True)` (a Tubelet key; MMAction2 always
// uses DDP's defaults) and MMAction2's top-level `find_unused_parameters`.
dist::DataParallelOptions read_data_parallel(const Dict& cfg) {
  dist::DataParallelOptions o;
  if (const Value* ddp = find_set(cfg, "ddp")) {
    Args args(*ddp, "ddp", "ddp");
    o.bucket_cap_mb = args.get("bucket_cap_mb", o.bucket_cap_mb);
    o.overlap = args.get("overlap", o.overlap);
    args.finish();
  }
  if (const Value* find = find_set(cfg, "find_unused_parameters")) {
    if (!find->is_bool())
      throw ConfigError("find_unused_parameters must be True or False, not " + repr(*find),
                        find->location());
    o.find_unused_parameters = find->as_bool();
  }
  return o;
}

void read_training(const Dict& cfg, RunConfig& run) {
  if (find_set(cfg, "runner") || find_set(cfg, "total_epochs")) run.runner = runner_config(cfg);
  if (const Value* workflow = find_set(cfg, "workflow")) run.workflow = read_workflow(*workflow);
  run.hooks = training_hook_configs(cfg);
  if (const Value* fp16 = find_set(cfg, "fp16")) {
    if (!fp16->is_dict()) throw ConfigError("fp16 must be a dict", fp16->location());
    run.fp16 = *fp16;
  }
  if (const Value* precise_bn = find_set(cfg, "precise_bn"); precise_bn && is_truthy(*precise_bn)) {
    // MMAction2 passes the dict as PreciseBNHook's keyword arguments.
    if (!precise_bn->is_dict() || precise_bn->as_dict().contains("type"))
      throw ConfigError(
          "precise_bn must be a dict of PreciseBNHook's arguments (num_iters, interval)",
          precise_bn->location());
    run.precise_bn = *precise_bn;
  }
  if (const Value* evaluation = find_set(cfg, "evaluation")) {
    if (!evaluation->is_dict())
      throw ConfigError("evaluation must be a dict of EvalHook's arguments, not " +
                            std::string(evaluation->type_name()),
                        evaluation->location());
    run.evaluation = *evaluation;
  }
  run.ddp = read_data_parallel(cfg);
}

}  // namespace

RunConfig read_run_config(const Dict& cfg) {
  RunConfig run;
  read_placement(cfg, run);
  read_training(cfg, run);
  if (const Value* work_dir = cfg.find("work_dir"); work_dir && work_dir->is_str())
    run.work_dir = work_dir->as_str();
  run.start = read_resume_config(cfg);
  return run;
}

const Value& runner_config(const RunConfig& run) {
  if (run.runner.is_none())
    throw ConfigError(
        "the config sets neither runner = dict(type=..., max_epochs=...) nor total_epochs");
  return run.runner;
}

}  // namespace tubelet
