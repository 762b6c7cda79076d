#include "tubelet/engine/hooks/precise_bn_hook.h"

#include <torch/nn/modules/instancenorm.h>
#include <torch/nn/modules/normalization.h>
#include <torch/torch.h>

#include <map>
#include <optional>

#include "tubelet/engine/runner.h"
#include "tubelet/models/layers.h"
#include "tubelet/models/trainable.h"

namespace tubelet {

namespace {

torch::Tensor& buffer(torch::nn::Module& module, const char* name) {
  torch::Tensor* b = module.named_buffers(/*recurse=*/false).find(name);
  TORCH_CHECK(b && b->defined(), module.name(), " has no ", name);
  return *b;
}

void log(Logger* logger, const std::string& message, bool warning = false) {
  if (!logger) return;
  if (warning)
    logger->warning(message);
  else
    logger->info(message);
}

// The batch norms in training mode that keep running statistics (MMAction2 takes every
// _BatchNorm in training mode; one without running statistics would fail there).
std::vector<torch::nn::Module*> training_batch_norms(torch::nn::Module& model) {
  std::vector<torch::nn::Module*> out;
  // apply(), not modules(): the model need not be held by a shared_ptr.
  model.apply([&](torch::nn::Module& m) {
    torch::nn::BatchNormOptions* o = batch_norm_options(m);
    if (o && m.is_training() && o->track_running_stats()) out.push_back(&m);
  });
  return out;
}

void warn_about_other_norms(torch::nn::Module& model, Logger* logger) {
  using namespace torch::nn;
  model.apply([&](Module& m) {
    const Module* p = &m;
    if (m.is_training() &&
        (dynamic_cast<const InstanceNorm1dImpl*>(p) || dynamic_cast<const InstanceNorm2dImpl*>(p) ||
         dynamic_cast<const InstanceNorm3dImpl*>(p) || dynamic_cast<const GroupNormImpl*>(p)))
      log(logger, "IN/GN stats will be updated like training.", true);
  });
}

// MMAction2's model(**data, return_loss=False); the output is not needed.
void forward_test(Trainable& model, const Batch& batch) {
  if (model.gives_records())
    model.test_records(batch);
  else
    model.test_step(batch);
}

// Sets momentum 1 on the layers for its lifetime and puts the old values back, also when a
// forward pass throws.
class MomentumOverride {
 public:
  explicit MomentumOverride(const std::vector<torch::nn::Module*>& layers) : layers_(layers) {
    for (auto* m : layers_) {
      torch::nn::BatchNormOptions* o = batch_norm_options(*m);
      saved_.push_back(o->momentum());
      o->momentum(1.0);
    }
  }
  ~MomentumOverride() {
    for (size_t i = 0; i < layers_.size(); ++i)
      batch_norm_options(*layers_[i])->momentum(saved_[i]);
  }
  MomentumOverride(const MomentumOverride&) = delete;
  MomentumOverride& operator=(const MomentumOverride&) = delete;

 private:
  std::vector<torch::nn::Module*> layers_;
  std::vector<c10::optional<double>> saved_;
};

}  // namespace

std::vector<torch::nn::Module*> update_bn_stats(torch::nn::Module& model, DataLoader& loader,
                                                int64_t num_iters, Logger* logger) {
  auto* trainable = dynamic_cast<Trainable*>(&model);
  TORCH_CHECK(trainable, "PreciseBN needs a model with a test forward (a recognizer or localizer)");
  model.train();
  if (loader.size() < num_iters)
    throw std::runtime_error("PreciseBN: length of dataloader " + std::to_string(loader.size()) +
                             " must be greater than iteration number " + std::to_string(num_iters));
  std::vector<torch::nn::Module*> bns = training_batch_norms(model);
  if (bns.empty()) {
    log(logger, "No BN found in model", true);
    return bns;
  }
  log(logger, std::to_string(bns.size()) + " BN found");
  warn_about_other_norms(model, logger);

  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> means, vars;
  for (auto* m : bns) {
    means.push_back(torch::zeros_like(buffer(*m, "running_mean")));
    vars.push_back(torch::zeros_like(buffer(*m, "running_var")));
  }
  {
    MomentumOverride momentum_one(bns);
    int64_t done = 0;
    loader.start();
    while (done < num_iters) {
      std::optional<Batch> batch = loader.next();
      if (!batch) break;
      forward_test(*trainable, *batch);
      ++done;
      // The running mean of what each forward left in the buffers (batch statistics).
      for (size_t i = 0; i < bns.size(); ++i) {
        means[i] += (buffer(*bns[i], "running_mean") - means[i]) / done;
        vars[i] += (buffer(*bns[i], "running_var") - vars[i]) / done;
      }
    }
    if (done < num_iters)
      throw std::runtime_error("PreciseBN: the data loader stopped before iteration " +
                               std::to_string(num_iters) + " (after " + std::to_string(done) +
                               " batches)");
  }
  for (size_t i = 0; i < bns.size(); ++i) {
    buffer(*bns[i], "running_mean").copy_(means[i]);
    buffer(*bns[i], "running_var").copy_(vars[i]);
  }
  return bns;
}

PreciseBNHook::PreciseBNHook(std::shared_ptr<DataLoader> loader, PreciseBNOptions options)
    : loader_(std::move(loader)), options_(options) {}

void PreciseBNHook::before_run(Runner& /*runner*/) {
  if (!loader_)
    throw std::runtime_error(
        "PreciseBNHook has no data loader: set precise_bn = dict(num_iters=..., interval=...) "
        "at the top level of the config, and the train tool gives it one over data.train");
  if (loader_->size() < options_.num_iters)
    throw std::runtime_error("precise_bn: length of dataloader " + std::to_string(loader_->size()) +
                             " must be greater than iteration number " +
                             std::to_string(options_.num_iters) +
                             " (lower precise_bn.num_iters or enlarge the training set)");
}

void PreciseBNHook::after_train_epoch(Runner& runner) {
  if (!every_n_epochs(runner, options_.interval)) return;
  Logger& logger = runner.logger();
  logger.info("Running Precise BN for " + std::to_string(options_.num_iters) + " iterations");
  update_bn_stats(runner.model(), *loader_, options_.num_iters, &logger);
  logger.info("BN stats updated");
}

namespace {

std::shared_ptr<Hook> build_precise_bn_hook(Args& args) {
  PreciseBNOptions o;
  o.num_iters = args.get<int64_t>("num_iters", o.num_iters);
  o.interval = args.get<int64_t>("interval", o.interval);
  if (o.num_iters < 1) throw args.error("num_iters", "num_iters must be at least 1");
  return std::make_shared<PreciseBNHook>(nullptr, o);
}

}  // namespace

TUBELET_REGISTER(HOOKS, PreciseBNHook, build_precise_bn_hook);

}  // namespace tubelet
