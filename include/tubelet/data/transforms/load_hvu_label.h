// LoadHVULabel (MMAction2 0.24.1, pipelines/loading.py): turns HVUDataset's label dict
// ({'action': [180], 'scene': [206]}) into three float32 tensors over the concatenated tags of
// results['categories'] / results['category_nums']: 'label' (1 at each tag, offset by its
// category's start), 'mask' (1 over every tag of each category the video has) and
// 'category_mask' (1 for each category the video has). Categories not in 'categories' are
// skipped. As in MMAction2 a tag index is not checked against its own category's size, only
// against the total number of tags (a negative one counts from the end).
#pragma once

#include <memory>
#include <string>

#include "tubelet/args.h"
#include "tubelet/data/transform.h"

namespace tubelet {

class LoadHVULabel : public Transform {
 public:
  void apply(Sample& sample) override;
  std::string type() const override { return "LoadHVULabel"; }
  static std::shared_ptr<Transform> from_config(Args& args);
};

}  // namespace tubelet
