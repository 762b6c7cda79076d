// MMAction2's ToDataContainer(fields): each field is dict(key=..., stack=True, cpu_only=False,
// ...). Tensors are already what the loader batches, so the only effect is stack=False: the
// loader gives that field to the model as one tensor per sample (Batch::lists) instead of
// stacking it, for fields whose shapes differ between samples (gt_bbox, PEM's proposals).
#pragma once

#include <string>
#include <vector>

#include "tubelet/data/transform.h"

namespace tubelet {

class ToDataContainer : public Transform {
 public:
  explicit ToDataContainer(std::vector<std::string> unstacked_keys)
      : unstacked_keys_(std::move(unstacked_keys)) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "ToDataContainer"; }

 private:
  std::vector<std::string> unstacked_keys_;
};

}  // namespace tubelet
