#include "tubelet/data/build_dataloader.h"

#include "tubelet/data/device_loader.h"

namespace tubelet {

std::shared_ptr<DataLoader> build_dataloader(std::shared_ptr<const Dataset> dataset,
                                             DataLoaderOptions options,
                                             const LoaderPlacement& placement) {
  options.seed = placement.seed;
  options.rank = placement.rank;
  options.world_size = placement.world_size;
  return on_device(std::make_shared<DatasetLoader>(std::move(dataset), options), placement.device);
}

}  // namespace tubelet
