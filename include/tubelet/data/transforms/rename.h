// Rename (MMAction2 0.24.1, pipelines/formatting.py): mapping=dict(old='new', ...) moves each
// results key that is present (an info value, a tensor, or the frames 'imgs', stacked) to its
// new name; a new name that already exists is an error, an absent old name is skipped.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class Rename : public Transform {
 public:
  explicit Rename(std::vector<std::pair<std::string, std::string>> mapping)
      : mapping_(std::move(mapping)) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "Rename"; }
  static std::shared_ptr<Transform> from_config(Args& args);

 private:
  std::vector<std::pair<std::string, std::string>> mapping_;
};

}  // namespace tubelet
