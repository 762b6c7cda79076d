#include "tubelet/apis/train.h"

#include "tubelet/apis/run_device.h"

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
#include "tubelet/data/dataset_loader.h"
#include "tubelet/data/device_loader.h"
#include "tubelet/distributed/collectives.h"
#include "tubelet/distributed/data_parallel.h"
#include "tubelet/distributed/device.h"
#include "tubelet/engine/hooks/eval_hook.h"
#include "tubelet/engine/hooks/precise_bn_hook.h"
#include "tubelet/engine/training_setup.h"
#include "tubelet/fileio/atomic_file.h"
#include "tubelet/models/builder.h"
#include "tubelet/models/memory_format.h"
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

namespace {

// Top-level `ddp = dict(bucket_cap_mb=25, overlap=True)` (a Tubelet key; MMAction2 always
// uses DDP's defaults) and MMAction2's top-level `find_unused_parameters`.
dist::DataParallelOptions data_parallel_options(const Dict& cfg) {
  dist::DataParallelOptions o;
  if (const Value* ddp = cfg.find("ddp"); ddp && !ddp->is_none()) {
    Args args(*ddp, "ddp", "ddp");
    o.bucket_cap_mb = args.get("bucket_cap_mb", o.bucket_cap_mb);
    o.overlap = args.get("overlap", o.overlap);
    args.finish();
  }
  if (const Value* find = cfg.find("find_unused_parameters"); find && !find->is_none()) {
    if (!find->is_bool())
      throw ConfigError("find_unused_parameters must be True or False, not " + repr(*find));
    o.find_unused_parameters = find->as_bool();
  }
  return o;
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

// Where this process computes and which part of a distributed run it is.
struct Placement {
  dist::DistInfo info;
  bool distributed = false;
  torch::Device device = torch::kCPU;
  std::string device_kind;  // "cpu" or "cuda", for the backend choice
  dist::DistParams dist_params;
};

// As MMAction2's tools/train.py: the process group first, since logging depends on the rank.
// The device before that: asking for CUDA where there is none is the clearest error to give.
Placement place_run(const Dict& cfg, const TrainOptions& o) {
  Placement p;
  p.distributed = o.launcher != "none";
  p.device_kind = run_device(cfg, o.device, 0, p.distributed).is_cuda() ? "cuda" : "cpu";
  const Value* dist_cfg = cfg.find("dist_params");
  p.dist_params = dist::read_dist_params(dist_cfg ? *dist_cfg : Value(), "dist_params");
  p.info = dist::init_dist(o.launcher, p.dist_params, p.device_kind);
  p.device = run_device(cfg, o.device, p.info.local_rank, p.distributed);
  if (const Value* bench = cfg.find("cudnn_benchmark"); bench && is_truthy(*bench))
    dist::set_cudnn_benchmark(true);
  return p;
}

// --work-dir, else the config's work_dir, else work_dirs/<config name>; recorded in cfg.
std::filesystem::path resolve_work_dir(Dict& cfg, const TrainOptions& o) {
  std::filesystem::path work_dir =
      o.work_dir ? *o.work_dir
      : cfg.contains("work_dir") && cfg.at("work_dir").is_str()
          ? cfg.at("work_dir").as_str()
          : (std::filesystem::path("work_dirs") / std::filesystem::path(o.config).stem()).string();
  cfg.set("work_dir", Value(work_dir.string()));
  return work_dir;
}

// MMAction2 draws a random seed when none is given; it is logged and saved either way, and
// every rank shuffles with rank 0's (MMAction2's init_random_seed).
uint64_t choose_seed(const TrainOptions& o, const Placement& p, Logger& logger) {
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
std::vector<std::unique_ptr<DataLoader>> workflow_loaders(const Dict& data,
                                                          const Workflow& workflow, uint64_t seed,
                                                          const Placement& p) {
  std::vector<std::shared_ptr<Dataset>> datasets{build_dataset(data, "train", false)};
  if (workflow.size() == 2) datasets.push_back(build_dataset(data, "val", false));
  std::vector<std::unique_ptr<DataLoader>> loaders;
  for (const auto& dataset : datasets) {
    DataLoaderOptions lo = dataloader_options(data, "train");
    lo.seed = seed;
    lo.rank = p.info.rank;
    lo.world_size = p.info.world_size;
    auto loader = std::make_unique<DatasetLoader>(dataset, lo);
    if (p.device.is_cpu())
      loaders.push_back(std::move(loader));
    else
      loaders.push_back(std::make_unique<DeviceLoader>(std::move(loader), p.device));
  }
  return loaders;
}

// The config's hooks as MMAction2's train_model reads them: `fp16 = dict(loss_scale=...)`
// turns optimizer_config into Fp16OptimizerHook(**optimizer_config, **fp16, distributed=...),
// and checkpoints carry the config text in their meta.
TrainingHookConfigs hook_configs(const Dict& cfg, bool distributed) {
  TrainingHookConfigs hooks = training_hook_configs(cfg);
  if (const Value* fp16 = cfg.find("fp16"); fp16 && !fp16->is_none()) {
    if (!fp16->is_dict()) throw ConfigError("fp16 must be a dict", fp16->location());
    Dict merged = hooks.optimizer_config.is_dict() ? hooks.optimizer_config.as_dict() : Dict{};
    for (const auto& [key, value] : fp16->as_dict().items()) merged.set(key, value);
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
void register_validation(Runner& runner, const Dict& cfg, uint64_t seed, const Placement& p) {
  const Dict& data = data_block(cfg);
  DataLoaderOptions vo = dataloader_options(data, "val");
  vo.seed = seed;
  vo.shuffle = false;
  vo.rank = p.info.rank;
  vo.world_size = p.info.world_size;
  auto val_loader = std::make_shared<DatasetLoader>(build_dataset(data, "val", true), vo);
  const Value evaluation = cfg.contains("evaluation") ? cfg.at("evaluation") : Value(Dict{});
  if (p.device.is_cpu()) {
    runner.register_hook(build_eval_hook(evaluation, val_loader), Value("LOW"));
    return;
  }
  runner.register_hook(
      std::make_shared<EvalHook>(std::make_shared<DeviceLoader>(val_loader, p.device),
                                 std::shared_ptr<const Dataset>(val_loader, &val_loader->dataset()),
                                 read_eval_hook_options(evaluation, "evaluation")),
      Value("LOW"));
}

// `precise_bn = dict(num_iters=200, interval=1)`, as MMAction2's train_model: a loader of its
// own over data.train (videos_per_gpu from `data` only, one worker, shuffled with the run's
// seed, this rank's share), and a PreciseBNHook at priority HIGHEST.
void register_precise_bn(Runner& runner, const Dict& cfg, uint64_t seed, const Placement& p) {
  const Value* precise_bn = cfg.find("precise_bn");
  if (!precise_bn || !is_truthy(*precise_bn)) return;
  // MMAction2 passes the dict as PreciseBNHook's keyword arguments.
  if (!precise_bn->is_dict() || precise_bn->as_dict().contains("type"))
    throw ConfigError(
        "precise_bn must be a dict of PreciseBNHook's arguments (num_iters, interval)",
        precise_bn->location());
  Value hook_cfg = *precise_bn;
  hook_cfg.mutable_dict().set("type", Value("PreciseBNHook"));
  auto hook =
      std::dynamic_pointer_cast<PreciseBNHook>(HOOKS().build(hook_cfg, BuildContext("precise_bn")));
  const Dict& data = data_block(cfg);
  // No data.precise_bn_dataloader exists, so only data's videos_per_gpu counts, as in MMAction2.
  DataLoaderOptions lo = dataloader_options(data, "precise_bn");
  lo.workers_per_gpu = 1;  // MMAction2: "save memory and time"
  lo.shuffle = true;
  lo.seed = seed;
  lo.rank = p.info.rank;
  lo.world_size = p.info.world_size;
  hook->set_data_loader(on_device(
      std::make_shared<DatasetLoader>(build_dataset(data, "train", false), lo), p.device));
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
  const Placement place = place_run(cfg, o);
  const bool master = place.info.rank == 0;
  const std::filesystem::path work_dir = resolve_work_dir(cfg, o);
  if (o.resume_from) cfg.set("resume_from", Value(*o.resume_from));
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
    dist::resolve_backend(place.dist_params.backend, place.device_kind, &backend_note);
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
  model->to(place.device);
  if (channels_last_requested(cfg)) to_channels_last(*model);
  const Workflow workflow =
      cfg.contains("workflow") ? read_workflow(cfg.at("workflow")) : Workflow{{"train", 1}};
  auto loaders = workflow_loaders(data_block(cfg), workflow, seed, place);
  if (!cfg.contains("optimizer")) throw ConfigError("the config has no optimizer");
  auto optimizer = build_optimizer(*model, cfg.at("optimizer"));
  auto runner = build_runner(cfg, {model, optimizer, work_dir, logger, meta, timestamp,
                                   place.info.rank, place.info.world_size});
  register_training_hooks(*runner, hook_configs(cfg, place.distributed));
  register_precise_bn(*runner, cfg, seed, place);
  if (o.validate) register_validation(*runner, cfg, seed, place);
  resume_or_load(*runner, cfg, o.auto_resume);
  // Every rank loaded the same checkpoint (if any); DDP's broadcast from rank 0 makes the
  // starting weights identical in any case.
  std::unique_ptr<dist::DistributedDataParallel> ddp;
  if (place.distributed)
    ddp = std::make_unique<dist::DistributedDataParallel>(model, dist::default_group(),
                                                          data_parallel_options(cfg));

  std::vector<DataLoader*> loader_ptrs;
  for (auto& l : loaders) loader_ptrs.push_back(l.get());
  runner->run(loader_ptrs, workflow);
  if (ddp) {
    log_gradient_reduction(*ddp, *logger);
    dist::barrier();  // as MMAction2 before testing: no rank leaves while others still work
  }
  test_after_training(*runner, cfg, {o.test_last, o.test_best}, place.device);
  return work_dir.string();
}

}  // namespace tubelet
