// mmcv's EpochBasedRunner, seen by the runners that extend it (OmniSourceRunner).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tubelet/engine/runner.h"

namespace tubelet {

// Whole passes over the data, the workflow repeated until max_epochs training epochs ran.
class EpochBasedRunner : public Runner {
 public:
  EpochBasedRunner(RunnerParts parts, int64_t max_epochs)
      : Runner(std::move(parts), max_epochs, std::nullopt) {}

  void run(const std::vector<DataLoader*>& loaders, const Workflow& workflow) override;
  std::filesystem::path save_checkpoint(const std::filesystem::path& out_dir,
                                        const std::string& filename_tmpl, bool save_optimizer,
                                        bool create_symlink, const Dict& meta) override;

 protected:
  void train(DataLoader& loader);
  void val(DataLoader& loader);
};

}  // namespace tubelet
