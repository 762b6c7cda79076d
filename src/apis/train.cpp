#include "tubelet/apis/train.h"

#include <ATen/Context.h>
#include <torch/torch.h>

#include <chrono>
#include <ctime>
#include <random>

#include "tubelet/apis/environment.h"
#include "tubelet/apis/run_device.h"
#include "tubelet/apis/test_after_training.h"
#include "tubelet/args.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/config/error.h"
#include "tubelet/data/build_dataloader.h"
#include "tubelet/data/registries.h"
#include "tubelet/distributed/collectives.h"
#include "tubelet/distributed/data_parallel.h"
#include "tubelet/distributed/device.h"
#include "tubelet/engine/hooks/eval_hook.h"
#include "tubelet/engine/hooks/precise_bn_hook.h"
#include "tubelet/engine/training_setup.h"
#include "tubelet/fileio/atomic_file.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/memory_format.h"
#include "tubelet/models/module_hook.h"
#include "tubelet/optim/optimizer_constructor.h"
#include "tubelet/plugin.h"

namespace tubelet {

namespace {

std::string local_timestamp() {
  std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d_%H%M%S", std::localtime(&now));
  return text;
}

}  // namespace

const Dict& data_block(const Dict& cfg) {
  const Value* data = cfg.find("data");
  if (!data || !data->is_dict()) throw ConfigError("the config has no data = dict(...) block");
  return data->as_dict();
}

std::shared_ptr<Dataset> build_dataset(const Dict& data, const char* phase, bool test_mode) {
  const Value* cfg = data.find(phase);
  if (!cfg) throw ConfigError(std::string("the config has no data.") + phase);
  Dict defaults;
  if (test_mode) defaults.set("test_mode", Value(true));
  return DATASETS().build(*cfg, BuildContext(std::string("data.") + phase, defaults));
}

namespace {

void write_config_dump(const Dict& cfg, const std::filesystem::path& path) {
  write_file_atomically(path, to_python_config(cfg));
}

}  // namespace

void set_random_seed(uint64_t seed, bool deterministic) {
  torch::manual_seed(seed);
  if (!deterministic) return;
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
  // mmcv's set_random_seed: cudnn.deterministic = True, cudnn.benchmark = False.
  at::globalContext().setDeterministicCuDNN(true);
  at::globalContext().setBenchmarkCuDNN(false);
}

namespace {

// --work-dir, else the config's work_dir, else work_dirs/<config name>; recorded in cfg.
std::filesystem::path resolve_work_dir(Dict& cfg, const RunConfig& run, const TrainOptions& o) {
  std::filesystem::path work_dir =
      o.work_dir ? *o.work_dir
      : run.work_dir
          ? *run.work_dir
          : (std::filesystem::path("work_dirs") / std::filesystem::path(o.config).stem()).string();
  cfg.set("work_dir", Value(work_dir.string()));
  return work_dir;
}

// MMAction2 draws a random seed when none is given; it is logged and saved either way, and
// every rank shuffles with rank 0's (MMAction2's init_random_seed).
uint64_t choose_seed(const TrainOptions& o, const RunPlacement& p, Logger& logger) {
  uint64_t seed = o.seed ? static_cast<uint64_t>(*o.seed) : std::random_device{}() & 0x7fffffff;
  if (p.distributed && !o.seed) seed = dist::broadcast_seed(seed, *dist::default_group());
  // --diff-seed: as MMAction2, the rank is added to everything the seed drives, the data
  // sampler's shuffle included.
  if (o.diff_seed) seed += static_cast<uint64_t>(p.info.rank);
  logger.info("Set random seed to " + std::to_string(seed) +
              ", deterministic: " + (o.deterministic ? "True" : "False"));
  set_random_seed(seed, o.deterministic);
  return seed;
}

// One loader per workflow phase ("train", and "val" for a two-phase workflow), this rank's
// share, on the run's device.
std::vector<std::shared_ptr<DataLoader>> workflow_loaders(const Dict& data,
                                                          const Workflow& workflow, uint64_t seed,
                                                          const RunPlacement& p) {
  std::vector<std::shared_ptr<Dataset>> datasets{build_dataset(data, "train", false)};
  if (workflow.size() == 2) datasets.push_back(build_dataset(data, "val", false));
  std::vector<std::shared_ptr<DataLoader>> loaders;
  for (const auto& dataset : datasets)
    loaders.push_back(build_dataloader(dataset, dataloader_options(data, "train"), p.loader(seed)));
  return loaders;
}

// `omnisource = True`, as MMAction2's train_model: data.train is a list of datasets, one loader
// each (the first is the main source), data.omni_videos_per_gpu setting each one's
// videos_per_gpu; the runner is an OmniSourceRunner given data.train_ratio.
bool is_omnisource(const Dict& cfg) {
  const Value* flag = cfg.find("omnisource");
  return flag && is_truthy(*flag);
}

std::vector<std::shared_ptr<DataLoader>> omnisource_loaders(const Dict& data, uint64_t seed,
                                                            const RunPlacement& p) {
  const Value* train = data.find("train");
  if (!train || !train->is_list() || train->as_list().empty())
    throw ConfigError(
        "omnisource = True needs data.train to be a list of datasets (the main "
        "source first)",
        train ? train->location() : Location{});
  const List& configs = train->as_list();
  // Read as MMAction2's keyword arguments are: the other keys of `data` are not ours here.
  Args args(Value(data), "data", "data");
  const auto per_gpu = args.get<std::vector<int64_t>>("omni_videos_per_gpu", {});
  if (!per_gpu.empty() && per_gpu.size() != configs.size())
    throw ConfigError("data.omni_videos_per_gpu has " + std::to_string(per_gpu.size()) +
                          " entries for " + std::to_string(configs.size()) + " train datasets",
                      data.at("omni_videos_per_gpu").location());
  std::vector<std::shared_ptr<DataLoader>> loaders;
  for (size_t i = 0; i < configs.size(); ++i) {
    const std::string where = "data.train[" + std::to_string(i) + "]";
    auto dataset = DATASETS().build(configs[i], BuildContext(where, Dict{}));
    DataLoaderOptions options = dataloader_options(data, "train");
    if (!per_gpu.empty()) options.videos_per_gpu = per_gpu[i];
    loaders.push_back(build_dataloader(dataset, options, p.loader(seed)));
  }
  return loaders;
}

// runner = dict(type='EpochBasedRunner', max_epochs=N) (or total_epochs) becomes an
// OmniSourceRunner with the same max_epochs and data.train_ratio.
Value omnisource_runner_config(const RunConfig& run, const Dict& data) {
  Dict runner = runner_config(run).as_dict();
  runner.set("type", Value("OmniSourceRunner"));
  if (const Value* ratio = data.find("train_ratio"); ratio && !ratio->is_none())
    runner.set("train_ratio", *ratio);
  return Value(std::move(runner));
}

// The config's hooks as MMAction2's train_model reads them: `fp16 = dict(loss_scale=...)`
// turns optimizer_config into Fp16OptimizerHook(**optimizer_config, **fp16, distributed=...),
// and checkpoints carry the config text in their meta.
TrainingHookConfigs hook_configs(const Dict& cfg, const RunConfig& run, bool distributed) {
  TrainingHookConfigs hooks = run.hooks;
  if (!run.fp16.is_none()) {
    Dict merged = hooks.optimizer_config.is_dict() ? hooks.optimizer_config.as_dict() : Dict{};
    for (const auto& [key, value] : run.fp16.as_dict().items()) merged.set(key, value);
    merged.set("type", Value("Fp16OptimizerHook"));
    merged.set("distributed", Value(distributed));
    hooks.optimizer_config = Value(std::move(merged));
  }
  if (hooks.checkpoint_config.is_dict()) {
    Dict ckpt_meta;
    ckpt_meta.set("mmaction_version", Value("tubelet-0.1.0"));
    ckpt_meta.set("config", Value(to_python_config(cfg)));
    hooks.checkpoint_config.mutable_dict().set("meta", Value(std::move(ckpt_meta)));
  }
  return hooks;
}

// --validate, as MMAction2's train_model: the val set in test mode, not shuffled, evaluated
// by an EvalHook at priority LOW.
void register_validation(Runner& runner, const Dict& data, const RunConfig& run, uint64_t seed,
                         const RunPlacement& p) {
  DataLoaderOptions vo = dataloader_options(data, "val");
  vo.shuffle = false;
  std::shared_ptr<const Dataset> val_set = build_dataset(data, "val", true);
  runner.register_hook(
      std::make_shared<EvalHook>(build_dataloader(val_set, vo, p.loader(seed)), val_set,
                                 read_eval_hook_options(run.evaluation, "evaluation")),
      Value("LOW"));
}

// `precise_bn = dict(num_iters=200, interval=1)`, as MMAction2's train_model: a loader of its
// own over data.train (videos_per_gpu from `data` only, one worker, shuffled with the run's
// seed, this rank's share), and a PreciseBNHook at priority HIGHEST.
void register_precise_bn(Runner& runner, const Dict& data, const RunConfig& run, uint64_t seed,
                         const RunPlacement& p) {
  if (run.precise_bn.is_none()) return;
  // MMAction2 passes the dict as PreciseBNHook's keyword arguments.
  Value hook_cfg = run.precise_bn;
  hook_cfg.mutable_dict().set("type", Value("PreciseBNHook"));
  auto hook =
      std::dynamic_pointer_cast<PreciseBNHook>(HOOKS().build(hook_cfg, BuildContext("precise_bn")));
  // No data.precise_bn_dataloader exists, so only data's videos_per_gpu counts, as in MMAction2.
  DataLoaderOptions lo = dataloader_options(data, "precise_bn");
  lo.workers_per_gpu = 1;  // MMAction2: "save memory and time"
  lo.shuffle = true;
  hook->set_data_loader(build_dataloader(build_dataset(data, "train", false), lo, p.loader(seed)));
  runner.register_hook(hook, Value("HIGHEST"));
  runner.logger().info("Finish register precisebn hook");
}

void log_gradient_reduction(const dist::DistributedDataParallel& ddp, Logger& logger) {
  const int64_t n = ddp.reductions();
  logger.info("gradient all-reduce: " + std::to_string(ddp.num_buckets()) + " buckets, " +
              std::to_string(n) + " iterations, " +
              std::to_string(n ? 1000.0 * ddp.reduce_seconds() / n : 0.0) +
              " ms per iteration waiting for it");
}

}  // namespace

std::string train(const TrainOptions& o) {
  Dict cfg = load_config_for_command(o.config, o.cfg_options);
  RunConfig run = read_run_config(cfg);
  const RunPlacement place = place_run(run, o.launcher, o.device);
  const bool master = place.info.rank == 0;
  const std::filesystem::path work_dir = resolve_work_dir(cfg, run, o);
  if (o.resume_from) {
    cfg.set("resume_from", Value(*o.resume_from));
    run.start.resume_from = Value(*o.resume_from);
  }
  run.start.auto_resume = run.start.auto_resume || o.auto_resume;
  std::filesystem::create_directories(work_dir);
  // mmcv's master_only: one process writes the work dir; the others log nothing (mmcv sets
  // their logger to ERROR; our errors end the process with a message anyway).
  if (master) write_config_dump(cfg, work_dir / std::filesystem::path(o.config).filename());

  const std::string timestamp = local_timestamp();
  auto logger = std::make_shared<Logger>("mmaction", master);
  if (master) logger->set_file(work_dir / (timestamp + ".log"));
  const std::string dash(60, '-');
  const std::string env = environment_info();
  logger->info("Environment info:\n" + dash + "\n" + env + "\n" + dash + "\n");
  logger->info(std::string("Distributed training: ") + (place.distributed ? "True" : "False"));
  std::string backend_note;
  if (place.distributed)
    dist::resolve_backend(run.dist_params.backend, place.device_kind, &backend_note);
  if (!backend_note.empty()) logger->warning(backend_note);
  logger->info("Config:\n" + to_python_config(cfg));

  const uint64_t seed = choose_seed(o, place, *logger);
  cfg.set("seed", Value(static_cast<int64_t>(seed)));
  Dict meta;
  meta.set("env_info", Value(env));
  meta.set("seed", Value(static_cast<int64_t>(seed)));
  meta.set("config_name", Value(std::filesystem::path(o.config).filename().string()));
  meta.set("work_dir", Value(work_dir.filename().string()));

  auto model = build_model(cfg.at("model"), "model");
  if (const Value* hooks = cfg.find("module_hooks")) register_module_hooks(*model, *hooks);
  model->to(place.device);
  if (run.channels_last) to_channels_last(*model);
  const Dict& data = data_block(cfg);
  // MMAction2's multigrid schedule (LongShortCycleHook, ShortCycleSampler, SubBatchNorm3D) is
  // not implemented: refuse it rather than silently train without it.
  if (const Value* multigrid = cfg.find("multigrid"); multigrid && !multigrid->is_none())
    throw ConfigError(
        "multigrid training (LongShortCycleHook, SubBatchNorm3D) is not supported by Tubelet "
        "yet; remove `multigrid` to train with the plain schedule",
        multigrid->location());
  const bool omnisource = is_omnisource(cfg);
  auto loaders = omnisource ? omnisource_loaders(data, seed, place)
                            : workflow_loaders(data, run.workflow, seed, place);
  if (!cfg.contains("optimizer")) throw ConfigError("the config has no optimizer");
  auto optimizer = build_optimizer(*model, cfg.at("optimizer"));
  auto runner = build_runner(omnisource ? omnisource_runner_config(run, data) : runner_config(run),
                             {model, optimizer, work_dir, logger, meta, timestamp, place.info.rank,
                              place.info.world_size});
  register_training_hooks(*runner, hook_configs(cfg, run, place.distributed));
  register_precise_bn(*runner, data, run, seed, place);
  if (o.validate) register_validation(*runner, data, run, seed, place);
  resume_or_load(*runner, run.start);
  // Every rank loaded the same checkpoint (if any); DDP's broadcast from rank 0 makes the
  // starting weights identical in any case.
  std::unique_ptr<dist::DistributedDataParallel> ddp;
  if (place.distributed)
    ddp = std::make_unique<dist::DistributedDataParallel>(model, dist::default_group(), run.ddp);

  std::vector<DataLoader*> loader_ptrs;
  for (auto& l : loaders) loader_ptrs.push_back(l.get());
  runner->run(loader_ptrs, run.workflow);
  if (ddp) {
    log_gradient_reduction(*ddp, *logger);
    dist::barrier();  // as MMAction2 before testing: no rank leaves while others still work
  }
  test_after_training(*runner, data, run, {o.test_last, o.test_best}, place.device);
  return work_dir.string();
}

}  // namespace tubelet
