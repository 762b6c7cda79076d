#include "tubelet/data/transforms/build_pseudo_clip.h"

#include <stdexcept>

#include "tubelet/data/registries.h"

namespace tubelet {

void BuildPseudoClip::apply(Sample& sample) {
  if (sample.imgs.size() != 1)
    throw std::invalid_argument("BuildPseudoClip: the input must be one single image, got " +
                                std::to_string(sample.imgs.size()) + " frames");
  // Copies (np.copy), not views: later in-place steps must not see one frame change another.
  // A clip_len below 1 leaves the single image, as range(1, clip_len) is then empty.
  for (int64_t i = 1; i < clip_len_; ++i) sample.imgs.push_back(sample.imgs.front().clone());
  sample.info.set("clip_len", Value(clip_len_));
  sample.info.set("num_clips", Value(int64_t{1}));
}

namespace {

std::shared_ptr<Transform> build_build_pseudo_clip(Args& args) {
  return std::make_shared<BuildPseudoClip>(args.required<int64_t>("clip_len"));
}

}  // namespace

TUBELET_REGISTER(PIPELINES, BuildPseudoClip, build_build_pseudo_clip);

}  // namespace tubelet
