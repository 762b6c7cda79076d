// MMAction2's BuildPseudoClip(clip_len) (pipelines/loading.py): turns the one image of an
// image sample (ImageDecode) into a clip of clip_len copies of it, so that a 3-D recognizer
// can train on images. Reads imgs (exactly one frame); writes imgs, clip_len and num_clips=1.
#pragma once

#include <string>

#include "tubelet/data/transform.h"

namespace tubelet {

class BuildPseudoClip : public Transform {
 public:
  explicit BuildPseudoClip(int64_t clip_len) : clip_len_(clip_len) {}
  void apply(Sample& sample) override;
  std::string type() const override { return "BuildPseudoClip"; }

 private:
  int64_t clip_len_;
};

}  // namespace tubelet
