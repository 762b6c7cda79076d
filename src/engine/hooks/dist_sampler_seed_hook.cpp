// mmcv's DistSamplerSeedHook (runner/hooks/sampler_seed.py): before each epoch the loader's
// sampler gets set_epoch(runner.epoch), so a distributed shuffle differs from epoch to epoch.
// Tubelet's runners already call DataLoader::set_epoch before each training pass; this hook
// makes the same call (idempotent with the runner's), so configs that list it build and run.
// Only training passes: mmcv also reaches the val loader's sampler, where set_epoch changes
// nothing (no shuffle), while a Tubelet loader also seeds its random transforms by epoch.
// Under IterBasedRunner (no pass in progress at before_epoch) it does nothing, as mmcv's
// IterLoader does the same job there.
#include "tubelet/args.h"
#include "tubelet/engine/hook.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

namespace {

class DistSamplerSeedHook : public Hook {
 public:
  std::string type() const override { return "DistSamplerSeedHook"; }
  void before_train_epoch(Runner& runner) override {
    runner.data_loader().set_epoch(runner.epoch());
  }
};

std::shared_ptr<Hook> build_dist_sampler_seed_hook(Args&) {
  return std::make_shared<DistSamplerSeedHook>();
}

}  // namespace

TUBELET_REGISTER(HOOKS, DistSamplerSeedHook, build_dist_sampler_seed_hook);

}  // namespace tubelet
