// MMAction2's Collect(keys, meta_keys=('filename', 'label', 'original_shape', 'img_shape',
// 'pad_shape', 'flip_direction', 'img_norm_cfg'), meta_name='img_metas', nested=False).
// Keeps only `keys` (tensors stay tensors, plain values stay in info, frames not yet
// formatted stay frames; a missing key is a KeyError) and, when meta_keys is not empty, puts
// the meta values (taken from info) into info[meta_name] as a Dict. Everything else goes,
// the video reader included. nested=True wraps each kept plain value, the meta dict included,
// in a one-element list, as MMAction2 does; tensors cannot be wrapped and stay as they are.
#pragma once

#include <string>
#include <vector>

#include "tubelet/data/transform.h"

namespace tubelet {

class Collect : public Transform {
 public:
  Collect(std::vector<std::string> keys, std::vector<std::string> meta_keys, std::string meta_name,
          bool nested)
      : keys_(std::move(keys)),
        meta_keys_(std::move(meta_keys)),
        meta_name_(std::move(meta_name)),
        nested_(nested) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "Collect"; }

 private:
  std::vector<std::string> keys_, meta_keys_;
  std::string meta_name_;
  bool nested_;
};

}  // namespace tubelet
